/**
 * The fault test: 50 sync runs between a central and a remote, each in its own process, with
 * SIGKILL landing at random points of the runs (on the remote or on the central), while both sides
 * change store data. After a final clean sync, both datafiles hold identical store data for the
 * remote's stores, nothing is left half-delivered, and both pass PRAGMA integrity_check.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { openCore } from '../../main/core';
import { ADMIN, fastHasher, tempDir } from '../helpers/core';
import { WAIKATO, setSitePassword } from './helpers';
import { WAIKATO_PASSWORD, storeData, storesOfSite } from './store-sync-helpers';

const root = path.resolve(__dirname, '../..');
const fixtures = path.join(__dirname, 'fixtures');
const RUNS = 50;
const INITIAL_RECORDS = 3000;

function spawnNode(script: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', path.join(fixtures, script), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Resolves when the child prints a line starting with `prefix` (rejects if it exits first). */
function waitForLine(child: ChildProcess, prefix: string, timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`no "${prefix}" within ${timeoutMs} ms: ${err}`)), timeoutMs);
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const line = out.split('\n').find((l) => l.startsWith(prefix));
      if (line) {
        clearTimeout(timer);
        resolve(line);
      }
    });
    child.stderr!.on('data', (chunk) => (err += chunk));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code ?? signal}) before "${prefix}": ${err}`));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.on('exit', () => resolve());
  });
}

async function prepareCentral(file: string): Promise<void> {
  const core = await openCore(file, { create: true, hasher: fastHasher, setup: { admin: ADMIN, demo: true } });
  await setSitePassword(core, WAIKATO, WAIKATO_PASSWORD);
  const { sqlite } = core.datafile;
  const stores = storesOfSite(core, WAIKATO);
  const insert = sqlite.prepare('insert into store_record (id, store_id, item_code, item_name, quantity) values (?, ?, ?, ?, ?)');
  sqlite.transaction(() => {
    for (let i = 0; i < INITIAL_RECORDS; i += 1) insert.run(randomUUID(), stores[i % 2]!, `I${i}`, `Item ${i}`, i);
  })();
  core.close();
}

describe('sync runs killed with SIGKILL at random points', () => {
  it('end with identical store data on both sides, nothing lost or doubled, both datafiles intact', async () => {
    const dir = tempDir('sync-faults-');
    const centralFile = path.join(dir, 'central.sqlite');
    const remoteFile = path.join(dir, 'remote.sqlite');
    await prepareCentral(centralFile);

    let port = 0;
    let central: ChildProcess | null = null;
    let url = '';
    const startCentral = async (corrections: boolean) => {
      central = spawnNode('central-process.ts', [centralFile, String(port), corrections ? '1' : '0']);
      url = (await waitForLine(central, 'listening ')).slice('listening '.length).trim();
      port = Number(new URL(url).port);
    };
    const stopCentral = async () => {
      if (!central) return;
      central.kill('SIGTERM');
      await exited(central);
      central = null;
    };

    const kills = { remote: 0, central: 0 };
    let completed = 0;
    try {
      await startCentral(true);
      for (let run = 0; run < RUNS; run += 1) {
        if (!central) await startCentral(true);
        const remote = spawnNode('remote-sync-process.ts', [remoteFile, url, '30'], { REMOTE_SITE_PASSWORD: WAIKATO_PASSWORD });
        const done = waitForLine(remote, 'done ', 60_000).then(
          () => true,
          () => false,
        );
        await waitForLine(remote, 'syncing', 20_000);
        // Most runs are cut short somewhere: early (push), later (pull), on either side; a few finish.
        const victim = run % 5 === 4 ? null : Math.random() < 0.5 ? 'remote' : 'central';
        if (victim) {
          await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * (run === 0 ? 400 : 60))));
          if (victim === 'remote') {
            remote.kill('SIGKILL');
            kills.remote += 1;
          } else if (central) {
            (central as ChildProcess).kill('SIGKILL');
            await exited(central);
            central = null;
            kills.central += 1;
          }
        }
        if (await done) completed += 1;
        if (remote.exitCode === null && remote.signalCode === null) remote.kill('SIGKILL');
        await exited(remote);
      }

      // A clean ending: the central stops changing data, and the remote syncs until nothing moves.
      await stopCentral();
      await startCentral(false);
      for (let i = 0; i < 2; i += 1) {
        const remote = spawnNode('remote-sync-process.ts', [remoteFile, url, '0'], { REMOTE_SITE_PASSWORD: WAIKATO_PASSWORD });
        const line = await waitForLine(remote, 'done ', 60_000);
        await exited(remote);
        expect(JSON.parse(line.slice(5))).toMatchObject({ lastError: null, waitingOut: 0, waitingIn: 0, refused: 0 });
      }
    } finally {
      await stopCentral();
    }

    const centralCore = await openCore(centralFile, { hasher: fastHasher });
    const remoteCore = await openCore(remoteFile, { hasher: fastHasher });
    try {
      for (const core of [centralCore, remoteCore]) {
        expect(core.datafile.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(core.datafile.sqlite.pragma('foreign_key_check')).toEqual([]);
      }
      const stores = storesOfSite(centralCore, WAIKATO);
      const atCentral = storeData(centralCore, stores);
      expect(storeData(remoteCore, stores)).toEqual(atCentral);
      // Nothing doubled: every line entered at the remote is there once (item codes are unique).
      const codes = atCentral.map((l) => l.itemCode);
      expect(new Set(codes).size).toBe(codes.length);
      expect(atCentral.length).toBeGreaterThan(INITIAL_RECORDS / 2);
      // Nothing left half-delivered on either side.
      const count = (core: typeof centralCore, sql: string) => core.datafile.sqlite.prepare(sql).pluck().get();
      expect(count(centralCore, 'select count(*) from sync_out where site_id = 3')).toBe(0);
      expect(count(centralCore, 'select count(*) from sync_in')).toBe(0);
      expect(count(remoteCore, 'select count(*) from remote_out')).toBe(0);
      expect(remoteCore.sites.activeSiteId()).toBe(WAIKATO);
    } finally {
      centralCore.close();
      remoteCore.close();
    }
    // The kills did land on both sides, and runs also completed in between.
    expect(kills.remote).toBeGreaterThan(5);
    expect(kills.central).toBeGreaterThan(5);
    expect(completed).toBeGreaterThan(5);
  }, 170_000);
});
