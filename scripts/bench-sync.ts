/**
 * Store-data sync speed: initialising a remote site with 100,000 store-data records over
 * 127.0.0.1 (central in a child process, remote in this one), then an incremental sync of 1,000
 * records changed at the remote. Goal: at least 50,000 records per second, and memory that stays
 * flat as records grow: the RSS of both processes is printed at 25k, 50k and 100k records.
 *
 * One run on a shared 2-core machine varies by a fifth either way from the next, so the verdict
 * is on the median of several runs (`runs`; BENCH_SYNC_RUNS when run alone, default 1), each from
 * a fresh central and remote, every run's figure printed.
 *
 * Run alone with `npx tsx scripts/bench-sync.ts`; scripts/bench.ts calls benchSync().
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { openCore } from '../main/core';
import { holdCheckpoints } from '../db/checkpoints';
import { openDatafile } from '../db/datafile';
import { type StoreRecordData, storeRecordStatements } from '../main/services/store-records';
import { lines, stopChild } from './bench-child-lines';
import { median } from './bench-stats';
import { systemActor } from '../main/services/actor';
import { PasswordHasher } from '../main/services/passwords';

export interface BenchSyncOptions {
  records?: number;
  changed?: number;
  /** A slow link between the remote and the central (scripts/bench-link.ts); `BENCH_LINK=RTT_MS,MBIT` when run alone. */
  link?: { rttMs: number; mbit: number };
  /** Initialisations to run, each from a fresh central and remote; the verdict is on their median. */
  runs?: number;
}

function linkFromEnv(): BenchSyncOptions['link'] {
  const [rttMs, mbit] = (process.env.BENCH_LINK ?? '').split(',').map(Number);
  return rttMs !== undefined && mbit ? { rttMs, mbit } : undefined;
}

type ChangedLine = { lineId: string; storeId: number; itemCode: string; itemName: string; quantity: number };

const hasher = new PasswordHasher({ N: 2 ** 10, r: 8, p: 1, keyLength: 32 });
const SITE_PASSWORD = 'bench site password';
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

async function prepareCentral(file: string, records: number): Promise<void> {
  const core = await openCore(file, { create: true, hasher, setup: { admin: { userName: 'admin', password: 'bench admin password' }, demo: true } });
  try {
    const waikato = core.sites.getSite({ siteId: 3 });
    await core.sites.saveSite(systemActor, {
      siteId: 3,
      expectedVersion: waikato.version,
      code: waikato.code,
      name: waikato.name,
      password: SITE_PASSWORD,
      type: waikato.type,
      useJsNodeHttpClient: false,
      addStoreIds: [],
      removeStoreIds: [],
      confirmations: [],
    });
    const stores = waikato.stores.map((s) => s.storeId);
    const { sqlite } = core.datafile;
    const insert = sqlite.prepare('insert into store_record (id, store_id, item_code, item_name, quantity) values (?, ?, ?, ?, ?)');
    sqlite.transaction(() => {
      for (let i = 0; i < records; i += 1) insert.run(randomUUID(), stores[i % stores.length]!, `ITEM-${i}`, `Bench item number ${i}`, i % 1000);
    })();
  } finally {
    core.close();
  }
}

/**
 * The ceiling the sync is measured against: the same lines written straight into an empty datafile
 * (same schema, pragmas, held checkpoints and upsert statement, 10,000 per transaction), with no
 * network, JSON or checks.
 */
function bareWrites(dir: string, source: import('better-sqlite3').Database, syncRate: number): void {
  const rows = source
    .prepare(
      `select id, store_id as storeId, item_code as itemCode, item_name as itemName, quantity, updated_at as updatedAt, version,
              changed_by_site_id as changedBySiteId from store_record order by store_id, id`,
    )
    .all() as StoreRecordData[];
  const datafile = openDatafile(path.join(dir, 'bare.sqlite'), { create: true });
  try {
    const { sqlite } = datafile;
    sqlite
      .prepare("insert into site (id, uuid, code, name, name_key, type, is_central) values (1, 'bare', 'B', 'Bare', 'bare', 'standalone', 1)")
      .run();
    for (const storeId of new Set(rows.map((row) => row.storeId))) {
      sqlite
        .prepare('insert into store (id, uuid, code, name, site_id) values (?, ?, ?, ?, 1)')
        .run(storeId, `store-${storeId}`, `S${storeId}`, `Store ${storeId}`);
    }
    const { upsert } = storeRecordStatements(sqlite);
    // Checkpoints held back as during a sync run, so that the two are compared like for like.
    const letCheckpointsGo = holdCheckpoints(sqlite);
    const started = performance.now();
    for (let i = 0; i < rows.length; i += 10_000) sqlite.transaction(() => rows.slice(i, i + 10_000).forEach(upsert)).immediate();
    const bareRate = rows.length / ((performance.now() - started) / 1000);
    letCheckpointsGo();
    console.log(
      `  bare SQLite, the same ${rows.length.toLocaleString()} lines written straight into an empty datafile: ` +
        `${Math.round(bareRate).toLocaleString()} records/s; the sync reaches ${((100 * syncRate) / bareRate).toFixed(0)}% of it`,
    );
  } finally {
    datafile.sqlite.close();
  }
}

/**
 * One run in a process of its own (this script, told to print its rate), so that a run's memory
 * figures are not those of the runs before it; its output is shown as it comes.
 */
async function runInChild(options: BenchSyncOptions): Promise<number> {
  const link = options.link ? `${options.link.rttMs},${options.link.mbit}` : '';
  const child = spawn(process.execPath, ['--import', 'tsx', __filename], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_SYNC_RUNS: '1', BENCH_SYNC_PRINT_RATE: '1', BENCH_LINK: link },
  });
  let rate = Number.NaN;
  readline.createInterface({ input: child.stdout! }).on('line', (line) => {
    if (line.startsWith('rate ')) rate = Number(line.slice('rate '.length));
    else console.log(line);
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0 || !Number.isFinite(rate)) throw new Error(`a bench-sync run failed (exit code ${code})`);
  return rate;
}

/** Runs the initialisation `runs` times and judges the median against the goals. */
export async function benchSync(options: BenchSyncOptions = {}): Promise<void> {
  const runs = Math.max(1, Math.floor(options.runs ?? 1));
  const rates: number[] = [];
  for (let run = 1; run <= runs; run += 1) {
    if (runs > 1) console.log(`Run ${run} of ${runs}:`);
    rates.push(runs > 1 ? await runInChild(options) : await benchSyncOnce(options));
  }
  if (process.env.BENCH_SYNC_PRINT_RATE) {
    console.log(`rate ${rates[0]}`);
    return;
  }
  const middle = median(rates);
  const each = rates.map((rate) => Math.round(rate).toLocaleString()).join(', ');
  const figure = `median of ${runs} run${runs === 1 ? '' : 's'} ${Math.round(middle).toLocaleString()} records/s (${each})`;
  // The goals are set for 127.0.0.1; over a simulated link the figure is for information.
  const verdict = options.link
    ? 'information (the goals are for 127.0.0.1)'
    : `goal >= 50,000 (issue 9): ${middle >= 50_000 ? 'met' : 'NOT met'}, >= 100,000 (issue 15): ${middle >= 100_000 ? 'met' : 'NOT met'}`;
  console.log(`  initialising${options.link ? ' over the link' : ''}: ${figure}; ${verdict}`);
}

/** One initialisation from a fresh central and remote, then the incremental sync; returns the initialisation's records/s. */
async function benchSyncOnce(options: BenchSyncOptions): Promise<number> {
  const records = options.records ?? 100_000;
  const changed = options.changed ?? 1_000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-sync-'));
  const centralFile = path.join(dir, 'central.sqlite');
  const link = options.link;
  const over = link ? `a ${link.rttMs} ms, ${link.mbit} Mbit/s link (scripts/bench-link.ts)` : '127.0.0.1';
  // The machine's load when the run starts: this figure moves with it.
  const load = os.loadavg()[0]!.toFixed(2);
  console.log(`Store-data sync: initialising a remote site with ${records.toLocaleString()} records over ${over} (load average ${load})`);
  await prepareCentral(centralFile, records);

  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'bench-sync-central.ts'), centralFile], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const out = lines(child);
  let linkChild: ReturnType<typeof spawn> | null = null;
  const remote = await openCore(path.join(dir, 'remote.sqlite'), {
    create: true,
    hasher,
    setup: { admin: { userName: 'admin', password: 'bench admin password' } },
    remote: { hardwareId: 'bench-device', syncRunner: { pullBatch: 10_000, pushBatch: 1000, statusPollMs: 20 } },
  });
  try {
    let url = (await out.next('listening ')).slice('listening '.length);
    if (link) {
      linkChild = spawn(
        process.execPath,
        ['--import', 'tsx', path.join(__dirname, 'bench-link.ts'), new URL(url).port, String(link.rttMs), String(link.mbit)],
        {
          stdio: ['pipe', 'pipe', 'inherit'],
        },
      );
      url = (await lines(linkChild).next('listening ')).slice('listening '.length);
    }
    await remote.connection.enableSync(systemActor, { centralUrl: url, siteName: 'Waikato', password: SITE_PASSWORD });

    const marks = [records / 4, records / 2, records].map(Math.round);
    const samples: Promise<string>[] = [];
    let remotePeak = process.memoryUsage.rss();
    const sampler = setInterval(() => (remotePeak = Math.max(remotePeak, process.memoryUsage.rss())), 20);
    const onStatus = () => {
      const progress = remote.syncRunner.status().progress;
      while (progress?.phase === 'pulling' && progress.total > 0 && marks.length > 0 && progress.done >= marks[0]!) {
        const at = marks.shift()!;
        const remoteRss = process.memoryUsage.rss();
        child.stdin!.write('rss\n');
        samples.push(
          out.next('rss ').then((line) => {
            const [, current] = line.split(' ');
            return `  at ${at.toLocaleString()} records: remote RSS ${mb(remoteRss)}, central RSS ${mb(Number(current))}`;
          }),
        );
      }
    };
    remote.syncRunner.events.on('status', onStatus);
    const started = performance.now();
    const status = await remote.syncRunner.syncNow();
    const seconds = (performance.now() - started) / 1000;
    // The checkpoint the run held back (db/checkpoints.ts) follows it on the same thread: timed here, before it would start.
    const checkpointStarted = performance.now();
    remote.datafile.sqlite.pragma('wal_checkpoint(PASSIVE)');
    const checkpointMs = performance.now() - checkpointStarted;
    remote.syncRunner.events.off('status', onStatus);
    if (status.lastError) throw new Error(`the initialising sync failed: ${status.lastError}`);
    const received = remote.datafile.sqlite.prepare('select count(*) from store_record').pluck().get() as number;
    // The last mark is reached when the final batch is applied, after the last status event.
    if (marks.length > 0) {
      child.stdin!.write('rss\n');
      const remoteRss = process.memoryUsage.rss();
      samples.push(
        out
          .next('rss ')
          .then((line) => `  at ${received.toLocaleString()} records: remote RSS ${mb(remoteRss)}, central RSS ${mb(Number(line.split(' ')[1]))}`),
      );
    }
    for (const sample of samples) console.log(await sample);
    child.stdin!.write('rss\n');
    const centralPeak = Number((await out.next('rss ')).split(' ')[2]);
    clearInterval(sampler);
    const rate = received / seconds;
    console.log(
      `  ${received.toLocaleString()} records in ${seconds.toFixed(2)} s: ${Math.round(rate).toLocaleString()} records/s; ` +
        `peak RSS remote ${mb(remotePeak)}, central ${mb(centralPeak)}; then the checkpoint copying them into the datafile ` +
        `(after the run): ${checkpointMs.toFixed(0)} ms`,
    );

    // Lines spread over the stores, as a site's edits are (every n-th line the central made,
    // ITEM-n): the first ones received would sit together on the pages and flatter the figure.
    const changedLines = remote.datafile.sqlite
      .prepare(
        `select id as lineId, store_id as storeId, item_code as itemCode, item_name as itemName, quantity from store_record
         where cast(substr(item_code, 6) as integer) % ? = 0 limit ?`,
      )
      .all(Math.max(1, Math.floor(records / changed)), changed) as ChangedLine[];
    for (const line of changedLines) remote.stock.saveLine(systemActor, { ...line, quantity: line.quantity + 1 });
    const incrementalStarted = performance.now();
    const incremental = await remote.syncRunner.syncNow();
    const incrementalSeconds = (performance.now() - incrementalStarted) / 1000;
    if (incremental.lastError) throw new Error(`the incremental sync failed: ${incremental.lastError}`);
    console.log(
      `  incremental sync of ${changedLines.length.toLocaleString()} changed records: ${(incrementalSeconds * 1000).toFixed(0)} ms ` +
        `(${Math.round(changedLines.length / incrementalSeconds).toLocaleString()} records/s)`,
    );
    // Last: its 100,000 writes would otherwise still be reaching the disk during the incremental sync.
    bareWrites(dir, remote.datafile.sqlite, rate);
    return rate;
  } finally {
    remote.close();
    await stopChild(child);
    if (linkChild) await stopChild(linkChild);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchSync({ link: linkFromEnv(), runs: Number(process.env.BENCH_SYNC_RUNS ?? 1) }).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
