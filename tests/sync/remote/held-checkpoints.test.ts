/**
 * Checkpoints held back while a sync run writes (db/checkpoints.ts): the run's batches stay in the
 * WAL instead of being copied into the datafile at nearly every commit, and one checkpoint copies
 * them once the run has ended, whether it succeeded or failed.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Core } from '../../../main/core';
import { holdCheckpoints, RUN_WAL_PAGES } from '../../../db/checkpoints';
import { openDatafile } from '../../../db/datafile';
import { tempDir } from '../../helpers/core';
import { type Central } from '../helpers';
import { centralWithSites, remoteSite, stopCentral, WAIKATO_PASSWORD } from '../store-sync-helpers';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('checkpoints held back during a sync run', () => {
  it('keeps what is written meanwhile in the WAL, then copies it into the datafile once let go', async () => {
    const file = path.join(tempDir(), 'held.sqlite');
    const datafile = openDatafile(file, { create: true });
    try {
      const { sqlite } = datafile;
      sqlite.exec('create table filler (body blob not null)');
      const fill = sqlite.prepare('insert into filler (body) values (randomblob(4000))');
      const sizeBefore = fs.statSync(file).size;

      const letGo = holdCheckpoints(sqlite);
      expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(RUN_WAL_PAGES);
      // About 12 MB in batches of about 1.2 MB, as a pull commits batch after batch: three times the usual limit.
      for (let batch = 0; batch < 10; batch += 1) sqlite.transaction(() => Array.from({ length: 300 }, () => fill.run()))();
      expect(fs.statSync(file).size).toBe(sizeBefore);
      expect(fs.statSync(`${file}-wal`).size).toBeGreaterThan(12_000_000);

      letGo();
      letGo();
      expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
      await nextTurn();
      expect(fs.statSync(file).size).toBeGreaterThan(12_000_000);
      expect(sqlite.prepare('select count(*) from filler').pluck().get()).toBe(3000);
    } finally {
      datafile.sqlite.close();
    }
  });

  it('leaves automatic checkpoints off where they were turned off', () => {
    const datafile = openDatafile(path.join(tempDir(), 'off.sqlite'), { create: true });
    try {
      datafile.sqlite.pragma('wal_autocheckpoint = 0');
      const letGo = holdCheckpoints(datafile.sqlite);
      expect(datafile.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
      letGo();
      expect(datafile.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    } finally {
      datafile.sqlite.close();
    }
  });

  describe('around a remote site’s runs', () => {
    let central: Central;
    let remote: Core;
    beforeEach(async () => {
      central = await centralWithSites();
      remote = await remoteSite(central.url, 'Waikato', WAIKATO_PASSWORD, 'waikato-device');
    });
    afterEach(async () => {
      remote.close();
      await stopCentral(central);
    });

    const walLimit = () => remote.datafile.sqlite.pragma('wal_autocheckpoint', { simple: true });

    it('holds them during the run and lets them go after it, when the run succeeds and when it fails', async () => {
      const duringRun = new Set<unknown>();
      remote.syncRunner.events.on('status', () => {
        if (remote.syncRunner.status().running) duringRun.add(walLimit());
      });
      const initialised = await remote.syncRunner.syncNow();
      expect(initialised.lastError).toBeNull();
      expect([...duringRun]).toEqual([RUN_WAL_PAGES]);
      expect(walLimit()).toBe(1000);

      await central.running.stop();
      duringRun.clear();
      const failed = await remote.syncRunner.syncNow();
      expect(failed.lastError).not.toBeNull();
      expect([...duringRun]).toEqual([RUN_WAL_PAGES]);
      expect(walLimit()).toBe(1000);
    });
  });
});
