/**
 * Seeing sync at a glance (issue 14): a remote site's sync log and progress by step, and the
 * central's view of every site (status, last sync, records waiting, the last error it met), with
 * real remote sites syncing over HTTP on 127.0.0.1.
 */
import Database from 'better-sqlite3';
import { createHandlers, dispatch } from '../../main/api/core-api';
import type { Core } from '../../main/core';
import { SiteSyncErrors, statusOf } from '../../main/sync/central/site-sync-health';
import { SyncApiError } from '../../main/sync/protocol';
import { nameKey } from '../../shared/names';
import { withSeed } from '../helpers/seeded-random';
import { SyncLog } from '../../main/sync/remote/sync-log';
import type { SiteSyncHealth, SyncStepProgress } from '../../shared/contract';
import { ADMIN, adminOf, newCore, storeIdByCode, unchangedDraft, viewerOf } from '../helpers/core';
import { type Central, KOPU, setSitePassword, syncCall, WAIKATO } from './helpers';
import { centralWithSites, remoteSite, stopCentral, syncOk, WAIKATO_PASSWORD } from './store-sync-helpers';

let central: Central | null = null;
const cores: Core[] = [];

afterEach(async () => {
  for (const core of cores.splice(0)) if (core.datafile.sqlite.open) core.close();
  if (central) await stopCentral(central);
  central = null;
});

async function waikato(c: Central): Promise<Core> {
  const remote = await remoteSite(c.url, 'Waikato', WAIKATO_PASSWORD, 'waikato-device');
  cores.push(remote);
  return remote;
}

const healthOf = (c: Central, siteId: number): SiteSyncHealth => c.core.siteSyncHealth.get(siteId);

/** A line added on the central to a store of Waikato: something waits in Waikato's queue. */
async function queueLineForWaikato(c: Central): Promise<void> {
  const admin = await adminOf(c.core);
  c.core.stock.saveLine(admin, { storeId: storeIdByCode(c.core, 'Waikato'), lineId: null, itemCode: 'Q1', itemName: 'Queued', quantity: 1 });
}

describe('a remote site’s sync log', () => {
  it('lists every run with its outcome, records pushed and pulled, and the error with its kind', async () => {
    central = await centralWithSites();
    const remote = await waikato(central);
    await syncOk(remote);
    const store = storeIdByCode(remote, 'Waikato');
    const admin = await adminOf(remote);
    remote.stock.saveLine(admin, { storeId: store, lineId: null, itemCode: 'L1', itemName: 'Logged 1', quantity: 1 });
    remote.stock.saveLine(admin, { storeId: store, lineId: null, itemCode: 'L2', itemName: 'Logged 2', quantity: 2 });
    await syncOk(remote);
    // The central's administrator changes the password: the remote's next run is refused.
    await setSitePassword(central.core, WAIKATO, 'a new password');
    const failed = await remote.syncRunner.syncNow();

    expect(failed).toMatchObject({ lastError: 'Incorrect password', lastErrorCode: 'site_incorrect_password' });
    expect(failed.lastAttemptAt! > failed.lastSuccessAt!).toBe(true);
    const log = remote.syncRunner.listLog();
    expect(log.map((r) => r.outcome)).toEqual(['failed', 'success', 'success']);
    const [third, second, first] = log;
    expect(first!.pulled).toBeGreaterThan(0);
    expect(first!.pushed).toBe(0);
    expect(second).toMatchObject({ pushed: 2, error: null, errorCode: null });
    expect(third).toMatchObject({ error: 'Incorrect password', errorCode: 'site_incorrect_password', pushed: 0, pulled: 0 });
    for (const row of log) expect(row.endedAt! >= row.startedAt).toBe(true);
  });

  it('is bounded in time and in number of runs; a run cut short shows as interrupted', async () => {
    const core = await newCore();
    cores.push(core);
    const log = new SyncLog(core.datafile.sqlite, { keepDays: 2, keepRuns: 5 });
    const start = Date.parse('2026-11-01T00:00:00Z');
    const hour = 3_600_000;
    for (let i = 0; i < 12; i += 1) {
      const id = log.begin(new Date(start + i * hour));
      log.finish(id, { outcome: i % 3 === 0 ? 'failed' : 'success', pushed: i, pulled: i, error: i % 3 === 0 ? 'Unable to connect' : undefined });
    }
    expect(log.list(null).map((r) => r.pushed)).toEqual([11, 10, 9, 8, 7]);
    // A run that never finished (the program stopped during it) is interrupted, unless it is the one running now.
    const cut = log.begin(new Date(start + 12 * hour));
    expect(log.list(cut)[0]).toMatchObject({ outcome: 'running', endedAt: null });
    expect(log.list(null)[0]).toMatchObject({ outcome: 'interrupted', endedAt: null });
    // Three days later, runs older than two days are gone.
    log.begin(new Date(start + 12 * hour + 3 * 24 * hour));
    expect(log.list(null)).toHaveLength(1);
    const count = core.datafile.sqlite.prepare('select count(*) from sync_log').pluck().get();
    expect(count).toBe(1);
  });
});

describe('Re-initialise', () => {
  it('is for an administrator, asks first, sends what can be sent before fetching, and keeps what is refused for review', async () => {
    central = await centralWithSites();
    const remote = await waikato(central);
    await syncOk(remote);
    const admin = await adminOf(remote);
    // A change to a store the central then moves away is refused; another change is simply not sent yet.
    const tau = storeIdByCode(remote, 'TAU_DH');
    const kept = storeIdByCode(remote, 'Waikato');
    remote.stock.saveLine(admin, { storeId: tau, lineId: null, itemCode: 'R1', itemName: 'Will be refused', quantity: 1 });
    const centralAdmin = await adminOf(central.core);
    const moved = await central.core.sites.saveSite(centralAdmin, {
      ...unchangedDraft(central.core, WAIKATO),
      removeStoreIds: [storeIdByCode(central.core, 'TAU_DH')],
      confirmations: ['move_store_from_active_site'],
    });
    expect(moved.status).toBe('saved');
    await remote.syncRunner.syncNow();
    expect(remote.refusedChanges.list().rows.map((r) => r.itemName)).toEqual(['Will be refused']);
    remote.stock.saveLine(admin, { storeId: kept, lineId: null, itemCode: 'S1', itemName: 'Not sent yet', quantity: 2 });

    const viewer = await viewerOf(remote);
    const asViewer = await dispatch(createHandlers(remote), { userId: viewer.userId }, 'reinitialiseSync', { confirmed: true });
    expect(asViewer).toMatchObject({ ok: false, error: { code: 'permission_denied' } });
    expect(await remote.syncRunner.reinitialise(admin, { confirmed: false })).toMatchObject({ status: 'needs_confirmation' });
    const again = await remote.syncRunner.reinitialise(admin, { confirmed: true });
    expect(again).toMatchObject({ status: 'done', sync: { lastError: null, initialised: true, waitingOut: 0 } });
    const central_ = central.core.datafile.sqlite;
    expect(central_.prepare("select quantity from store_record where item_code = 'S1'").pluck().get()).toBe(2);
    expect(remote.refusedChanges.list().rows.map((r) => r.itemName)).toEqual(['Will be refused']);
    expect(remote.syncRunner.listLog()[0]).toMatchObject({ outcome: 'success', pushed: 1 });
  });
});

describe('progress by step', () => {
  it('goes push, central integrates, pull central data, pull the site’s queue, each as done of total', async () => {
    central = await centralWithSites();
    const remote = await waikato(central);
    await syncOk(remote);
    const store = storeIdByCode(remote, 'Waikato');
    const admin = await adminOf(remote);
    for (let i = 0; i < 5; i += 1)
      remote.stock.saveLine(admin, { storeId: store, lineId: null, itemCode: `P${i}`, itemName: `Pushed ${i}`, quantity: i });

    const seen: SyncStepProgress[][] = [];
    const listener = () => {
      const steps = remote.syncRunner.status().progress?.steps;
      if (steps) seen.push(steps);
    };
    remote.syncRunner.events.on('status', listener);
    await syncOk(remote);
    remote.syncRunner.events.off('status', listener);

    const running = seen.map((steps) => steps.find((s) => s.state === 'running')?.step ?? null).filter((s) => s !== null);
    const order = running.filter((step, i) => step !== running[i - 1]);
    expect(order[0]).toBe('push');
    expect(order).toEqual(
      [...order].sort(
        (a, b) => ['push', 'integrate', 'pull_central', 'pull_queue'].indexOf(a!) - ['push', 'integrate', 'pull_central', 'pull_queue'].indexOf(b!),
      ),
    );
    expect(order).toContain('pull_queue');
    const last = seen[seen.length - 1]!;
    expect(last.find((s) => s.step === 'push')).toMatchObject({ state: 'done', done: 5, total: 5 });
    for (const steps of seen) for (const step of steps) expect(step.done).toBeLessThanOrEqual(step.total);
    // The run over, no progress is shown.
    expect(remote.syncRunner.status().progress).toBeNull();
  });
});

describe('the central’s view of every site', () => {
  it('never synced, then ok with its last sync, app and queue; late and failing by the thresholds, which are settings', async () => {
    central = await centralWithSites();
    expect(healthOf(central, WAIKATO)).toMatchObject({ status: 'never_synced', lastSyncedAt: null, lastConnectedAt: null });
    expect(healthOf(central, 1).status).toBeNull();
    const remote = await waikato(central);
    await syncOk(remote);
    const ok = healthOf(central, WAIKATO);
    expect(ok).toMatchObject({ status: 'ok', queued: 0, buffered: 0, refused: 0, lastError: null });
    expect(ok.lastSyncedAt).not.toBeNull();
    expect(ok.lastConnectedAt).not.toBeNull();
    expect(ok.appName).toBeTruthy();
    expect(healthOf(central, KOPU).status).toBe('never_synced');

    // Something to send to the site waits in its queue.
    await queueLineForWaikato(central);
    expect(healthOf(central, WAIKATO).queued).toBeGreaterThan(0);

    const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
    const setLastSync = (iso: string) => central!.core.datafile.sqlite.prepare('update site set last_synced_at = ? where id = ?').run(iso, WAIKATO);
    setLastSync(daysAgo(2));
    expect(healthOf(central, WAIKATO).status).toBe('late');
    setLastSync(daysAgo(4));
    expect(healthOf(central, WAIKATO).status).toBe('failing');

    const handlers = createHandlers(central.core);
    const session = { userId: null as number | null };
    await dispatch(handlers, session, 'login', ADMIN);
    const set = await dispatch(handlers, session, 'setSyncThresholds', { lateAfterDays: 5, failingAfterDays: 10 });
    expect(set).toEqual({ ok: true, value: { lateAfterDays: 5, failingAfterDays: 10 } });
    const listed = (await dispatch(handlers, session, 'listSiteSyncHealth', {})) as { ok: true; value: { rows: SiteSyncHealth[] } };
    expect(listed.value.rows.find((r) => r.siteId === WAIKATO)!.status).toBe('ok');
    const wrong = await dispatch(handlers, session, 'setSyncThresholds', { lateAfterDays: 5, failingAfterDays: 2 });
    expect(wrong).toMatchObject({
      ok: false,
      error: { code: 'validation_failed', message: expect.stringContaining('Failing after must be at least') },
    });
  });

  it('the whole list follows every change, made here or by another connection to the datafile', async () => {
    central = await centralWithSites();
    const listed = () => central!.core.siteSyncHealth.list().rows.find((r) => r.siteId === WAIKATO)!;
    expect(listed()).toMatchObject({ status: 'never_synced', queued: 0 });
    await queueLineForWaikato(central);
    const queued = listed().queued;
    expect(queued).toBeGreaterThan(0);
    const other = new Database(central.core.datafile.path);
    try {
      other.prepare('update site set last_synced_at = ? where id = ?').run(new Date().toISOString(), WAIKATO);
      other.prepare('delete from sync_out where site_id = ?').run(WAIKATO);
    } finally {
      other.close();
    }
    expect(listed()).toMatchObject({ status: 'ok', queued: 0 });
  });

  it('a site whose sign-ins fail is failing, with the reason, until it syncs again', async () => {
    central = await centralWithSites();
    const remote = await waikato(central);
    await syncOk(remote);
    await setSitePassword(central.core, WAIKATO, 'a new password');
    await remote.syncRunner.syncNow();
    const failing = healthOf(central, WAIKATO);
    expect(failing.status).toBe('failing');
    expect(failing.lastError).toMatchObject({ code: 'site_incorrect_password', message: expect.stringMatching(/password/i) });

    // The remote's administrator types the new password: the next sync clears it.
    await remote.connection.enableSync(await adminOf(remote), { centralUrl: central.url, siteName: 'Waikato', password: 'a new password' });
    await syncOk(remote);
    expect(healthOf(central, WAIKATO)).toMatchObject({ status: 'ok', lastError: null });
  });

  it('a hostile client calling under made-up site names (seeded) cannot push out a real site’s last error', async () => {
    central = await centralWithSites();
    const remote = await waikato(central);
    await syncOk(remote);
    await setSitePassword(central.core, WAIKATO, 'a new password');
    await remote.syncRunner.syncNow();
    expect(healthOf(central, WAIKATO).lastError?.code).toBe('site_incorrect_password');
    await withSeed(async (random) => {
      const letters = 'abcdefghijklmnopqrstuvwxyz0123456789 -';
      const junk = () =>
        Array.from({ length: 3 + random.below(20) }, () => letters[random.below(letters.length)])
          .join('')
          .trim() || 'x';
      const errors = central!.core.siteSyncErrors;
      const flood = Array.from({ length: SiteSyncErrors.maxNames + 10 }, junk);
      for (const name of flood) {
        const headers = { authorization: `Basic ${Buffer.from(`${name}:${'0'.repeat(64)}`).toString('base64')}` };
        errors.recordAnswered(headers, new SyncApiError('site_incorrect_password'));
      }
      for (const name of flood.slice(0, 50)) expect(errors.get(nameKey(name))).toBeUndefined();
      // Over HTTP too: a few calls under made-up names are answered, and recorded nowhere.
      for (let i = 0; i < 5; i += 1) await syncCall(central!.url, '/sync/v5/site', { siteName: `Nobody ${junk()}`, password: 'guess' });
      expect(healthOf(central!, WAIKATO).lastError?.code).toBe('site_incorrect_password');
    });
  });

  it('only an administrator changes the thresholds', async () => {
    central = await centralWithSites();
    const viewer = await viewerOf(central.core);
    const handlers = createHandlers(central.core);
    const session = { userId: viewer.userId };
    expect(await dispatch(handlers, session, 'listSiteSyncHealth', {})).toMatchObject({ ok: true });
    expect(await dispatch(handlers, session, 'setSyncThresholds', { lateAfterDays: 2, failingAfterDays: 4 })).toMatchObject({
      ok: false,
      error: { code: 'permission_denied' },
    });
  });
});

describe('status rules', () => {
  const thresholds = { lateAfterDays: 1, failingAfterDays: 3 };
  const now = new Date('2026-11-28T12:00:00Z');
  const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000).toISOString();
  it.each([
    [null, false, false, 'never_synced'],
    [hoursAgo(1), false, false, 'ok'],
    [hoursAgo(25), false, false, 'late'],
    [hoursAgo(73), false, false, 'failing'],
    [hoursAgo(1), true, false, 'failing'],
    [null, true, false, 'failing'],
    [hoursAgo(1), true, true, 'locked'],
  ] as const)('last sync %s, error %s, locked %s: %s', (lastSyncedAt, hasError, locked, expected) => {
    expect(statusOf(lastSyncedAt, hasError, locked, thresholds, now)).toBe(expected);
  });
});
