import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { openCore } from '../../main/core';
import { ADMIN, fastHasher, tempDir } from '../helpers/core';
import { withSeed } from '../helpers/seeded-random';

const STORES = 1000;
const RECORDS_PER_STORE = 3;
const SITE_A = 2;
const SITE_B = 3;

/** A datafile with two remote sites; site A holds 1,000 stores with their store data. */
async function prepare(file: string) {
  const core = await openCore(file, { create: true, hasher: fastHasher, setup: { admin: ADMIN } });
  const { sqlite } = core.datafile;
  sqlite.transaction(() => {
    sqlite
      .prepare("insert into site (id, uuid, code, name, name_key) values (2, ?, '2', 'Site A', 'site a'), (3, ?, '3', 'Site B', 'site b')")
      .run(randomUUID(), randomUUID());
    const store = sqlite.prepare('insert into store (uuid, code, name, site_id) values (?, ?, ?, ?)');
    const record = sqlite.prepare('insert into store_record (id, store_id, item_code, item_name, quantity) values (?, ?, ?, ?, ?)');
    for (let i = 0; i < STORES; i += 1) {
      const storeId = Number(store.run(randomUUID(), `S${i}`, `Store ${i}`, SITE_A).lastInsertRowid);
      for (let j = 0; j < RECORDS_PER_STORE; j += 1) record.run(randomUUID(), storeId, `I${j}`, `Item ${j}`, j);
    }
  })();
  core.close();
}

/** Runs the save loop and kills it with SIGKILL after `delayMs`; says whether a save was under way. */
function runAndKill(file: string, delayMs: number): Promise<{ killedInsideSave: boolean; completed: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, '..', 'fixtures', 'save-loop-child.ts'), file, String(SITE_A), String(SITE_B)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => {
      const before = out;
      out += chunk;
      if (!before.includes('ready') && out.includes('ready')) setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`child exited on its own (${code}): ${err}`));
      const lines = out.trim().split('\n');
      const last = lines[lines.length - 1] ?? '';
      resolve({ killedInsideSave: last.startsWith('begin'), completed: lines.filter((l) => l.startsWith('done')).length });
    });
  });
}

describe('a save killed with SIGKILL half way through', () => {
  it(
    'leaves the datafile at the old state or the new one, never between, and intact',
    () =>
      withSeed(async (random) => {
        const file = path.join(tempDir(), 'crash.sqlite');
        await prepare(file);
        let insideSave = 0;
        let totalCompleted = 0;
        for (let round = 0; round < 20 && (round < 6 || insideSave < 3); round += 1) {
          const outcome = await runAndKill(file, 150 + random.below(600));
          if (outcome.killedInsideSave) insideSave += 1;
          totalCompleted += outcome.completed;

          const core = await openCore(file, { hasher: fastHasher });
          const { sqlite } = core.datafile;
          expect(sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
          expect(sqlite.pragma('foreign_key_check')).toEqual([]);
          const bySite = sqlite.prepare('select site_id as siteId, count(*) as n from store group by site_id').all();
          // All 1,000 stores on one site or the other: a move is never half done.
          expect(bySite).toHaveLength(1);
          expect(bySite[0]).toMatchObject({ n: STORES });
          // Every committed save wrote its audit row, cancelled what the old site had queued for the
          // stores and queued "send this store's data" for each at the new site, together.
          const saves = (sqlite.prepare("select count(*) as n from site_audit where action = 'update'").get() as { n: number }).n;
          const expectedSite = saves % 2 === 0 ? SITE_A : SITE_B;
          expect((bySite[0] as { siteId: number }).siteId).toBe(expectedSite);
          const queued = sqlite
            .prepare("select site_id as siteId, count(*) as n from sync_out where table_name = 'store_data' group by site_id")
            .all();
          expect(queued).toEqual(saves === 0 ? [] : [{ siteId: expectedSite, n: STORES }]);
          core.close();
        }
        // The kills did land inside saves (each save takes most of the loop's time).
        expect(insideSave).toBeGreaterThanOrEqual(3);
        expect(totalCompleted).toBeGreaterThan(0);
      }),
    240_000,
  );
});
