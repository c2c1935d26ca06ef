/**
 * While a remote site syncs, the desktop app keeps the machine awake and shows the run's progress on
 * the taskbar; both stop when the run ends, and follow the datafile the host has open. Under the
 * fake electron, with a real remote datafile syncing against a real central on 127.0.0.1.
 */
import type { Core } from '../../main/core';
import type { DatafileHost } from '../../main/hosts/datafile-host';
import { runFraction, showSyncIndicators } from '../../main/electron/sync-indicators';
import type { DatafileStatus } from '../../shared/bridge';
import { type Central } from '../sync/helpers';
import { centralWithSites, remoteSite, stopCentral, WAIKATO_PASSWORD } from '../sync/store-sync-helpers';
import { BrowserWindow, fake } from '../fakes/electron';

let central: Central;
let remote: Core;

beforeEach(async () => {
  fake.reset();
  central = await centralWithSites();
  remote = await remoteSite(central.url, 'Waikato', WAIKATO_PASSWORD, 'waikato-device');
});

afterEach(async () => {
  if (remote.datafile.sqlite.open) remote.close();
  await stopCentral(central);
});

/** The two things of the host the indicators use: the open core, and word when it changes. */
function hostWith(core: Core | null) {
  const listeners = new Set<(status: DatafileStatus) => void>();
  const host = {
    core,
    onStatusChange(listener: (status: DatafileStatus) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    switchTo(next: Core | null) {
      host.core = next;
      for (const listener of listeners) listener({ location: null, open: next !== null, needsSetup: false });
    },
  };
  return host;
}

test('a run keeps the machine awake and fills the taskbar bar; both end with the run', async () => {
  const window = new BrowserWindow();
  const host = hostWith(remote);
  showSyncIndicators(host as unknown as DatafileHost, window as never);
  expect(window.progressBar.at(-1)).toBe(-1);
  expect(fake.powerSaveBlockers.size).toBe(0);

  const awakeDuringRun: boolean[] = [];
  remote.syncRunner.events.on('status', () => {
    if (remote.syncRunner.status().running) awakeDuringRun.push([...fake.powerSaveBlockers.values()].includes('prevent-app-suspension'));
  });
  const status = await remote.syncRunner.syncNow();
  expect(status.lastError).toBeNull();

  expect(awakeDuringRun.length).toBeGreaterThan(0);
  expect(awakeDuringRun.every(Boolean)).toBe(true);
  const during = window.progressBar.slice(1, -1);
  expect(during.some((v) => v > 0 && v <= 1)).toBe(true);
  // Only one blocker for the whole run, released at its end; the bar removed.
  expect(fake.powerSaveBlockerStarts).toBe(1);
  expect(fake.powerSaveBlockers.size).toBe(0);
  expect(window.progressBar.at(-1)).toBe(-1);
});

test('another datafile opened, or the window closed: the old datafile’s runs show nothing', async () => {
  const window = new BrowserWindow();
  const host = hostWith(remote);
  showSyncIndicators(host as unknown as DatafileHost, window as never);
  host.switchTo(null);
  const before = window.progressBar.length;
  await remote.syncRunner.syncNow();
  expect(window.progressBar.length).toBe(before);
  expect(fake.powerSaveBlockerStarts).toBe(0);

  host.switchTo(remote);
  window.close();
  await remote.syncRunner.syncNow();
  expect(fake.powerSaveBlockerStarts).toBe(0);
});

test('the taskbar fraction: indeterminate before a step starts, then steps done over all steps', () => {
  const step = (state: 'waiting' | 'running' | 'done', done = 0, total = 0) => ({ state, done, total });
  const progress = (steps: ReturnType<typeof step>[]) => ({
    phase: 'pushing' as const,
    message: '',
    done: 0,
    total: 0,
    steps: (['push', 'integrate', 'pull_central', 'pull_queue'] as const).map((name, i) => ({ step: name, ...steps[i]! })),
  });
  expect(runFraction(progress([step('waiting'), step('waiting'), step('waiting'), step('waiting')]))).toBe(2);
  expect(runFraction(progress([step('running', 5, 10), step('waiting'), step('waiting'), step('waiting')]))).toBe(0.125);
  expect(runFraction(progress([step('done'), step('done'), step('running', 1, 4), step('waiting')]))).toBe(0.5625);
});
