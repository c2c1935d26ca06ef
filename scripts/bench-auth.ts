/**
 * How much sync authentication costs the central server: authenticated GET /sync/v5/site from 100
 * sites at once (each with a real OWASP scrypt-hashed password), beside the same server's
 * unauthenticated GET /health in the same run. The goal is a ratio of at least 0.5: once a site's
 * password is verified, the credentials cache makes its later calls nearly as cheap as no auth.
 *
 * The load comes from a worker thread, so the server keeps the main thread's event loop to itself.
 * Run alone with `npx tsx scripts/bench-auth.ts`; scripts/bench.ts calls benchAuth().
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { openCore } from '../main/core';
import { nameKey } from '../shared/names';
import { PasswordHasher, owaspScrypt, sha256Hex } from '../main/services/passwords';
import { startServer } from '../main/hosts/server';
import { SYNC_API_VERSION } from '../main/sync/protocol';

export interface BenchAuthOptions {
  sites?: number;
  /** Length of each measured phase. */
  seconds?: number;
}

interface LoadRound {
  latencies: Float64Array;
  failures: number;
  seconds: number;
}

interface LoadResult {
  rate: number;
  failures: number;
  p50: number;
  p99: number;
}

function summarise(rounds: LoadRound[]): LoadResult {
  const all = Float64Array.from(rounds.flatMap((r) => Array.from(r.latencies))).sort();
  const seconds = rounds.reduce((sum, r) => sum + r.seconds, 0);
  const at = (q: number) => (all.length ? all[Math.min(all.length - 1, Math.floor(q * all.length))]! : Number.NaN);
  return { rate: all.length / seconds, failures: rounds.reduce((sum, r) => sum + r.failures, 0), p50: at(0.5), p99: at(0.99) };
}

/** Plain JavaScript (no TypeScript loader in the worker): keep-alive connections, one per site. */
const loadGenerator = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { host, port, path, headersPerConnection, durationMs } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: headersPerConnection.length });
const latencies = [];
let failures = 0;
const deadline = performance.now() + durationMs;
function once(headers) {
  return new Promise((resolve) => {
    const started = performance.now();
    const req = http.request({ host, port, path, method: 'GET', headers, agent }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode === 200) latencies.push(performance.now() - started); else failures += 1;
        resolve();
      });
    });
    req.on('error', () => { failures += 1; resolve(); });
    req.end();
  });
}
async function connection(headers) {
  while (performance.now() < deadline) await once(headers);
}
const started = performance.now();
Promise.all(headersPerConnection.map(connection)).then(() => {
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  const sample = Float64Array.from(latencies);
  parentPort.postMessage({ latencies: sample, failures, seconds }, [sample.buffer]);
});
`;

function runLoad(url: string, route: string, headersPerConnection: Record<string, string>[], durationMs: number): Promise<LoadRound> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const worker = new Worker(loadGenerator, {
      eval: true,
      workerData: { host: hostname, port: Number(port), path: route, headersPerConnection, durationMs },
    });
    worker.once('message', (result: LoadRound) => {
      void worker.terminate();
      resolve(result);
    });
    worker.once('error', reject);
  });
}

async function inBatches<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

/**
 * Real OWASP scrypt hashes of the bench passwords. Hashing 100 of them costs a minute on a slow
 * machine, so they are kept in the temp folder between runs (they hash throw-away bench passwords).
 */
async function siteHashes(hasher: PasswordHasher, sites: { id: number; password: string }[], parallel: number): Promise<Map<number, string>> {
  const file = path.join(os.tmpdir(), 'msupply-sync-sites-bench-auth-hashes.json');
  let kept: Record<string, string> = {};
  try {
    kept = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
  } catch {
    // first run
  }
  const hashes = new Map<number, string>();
  const params = `scrypt$${hasher.params.N}$${hasher.params.r}$${hasher.params.p}$`;
  await inBatches(sites, parallel, async (s) => {
    // A kept hash must be of these parameters; whether it matches its password, the cold sign-in checks.
    const known = kept[s.password];
    hashes.set(s.id, known?.startsWith(params) ? known : await hasher.hashSitePassword(s.password));
  });
  fs.writeFileSync(file, JSON.stringify(Object.fromEntries(sites.map((s) => [s.password, hashes.get(s.id)!]))));
  return hashes;
}

export async function benchAuth(options: BenchAuthOptions = {}): Promise<void> {
  const siteCount = options.sites ?? 100;
  const durationMs = (options.seconds ?? 3) * 1000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-auth-'));
  const hasher = new PasswordHasher(owaspScrypt);
  const core = await openCore(path.join(dir, 'central.sqlite'), {
    create: true,
    hasher,
    setup: { admin: { userName: 'admin', password: 'bench administrator' } },
  });
  const parallel = Math.max(2, os.cpus().length);

  try {
    // 100 remote sites, each with one store and its own password, hashed as the app stores them.
    const sites = Array.from({ length: siteCount }, (_, i) => ({ id: i + 2, name: `Bench site ${i + 1}`, password: `bench password ${i + 1}` }));
    const hashStarted = performance.now();
    const hashes = await siteHashes(hasher, sites, parallel);
    const hashSeconds = (performance.now() - hashStarted) / 1000;
    const sqlite = core.datafile.sqlite;
    sqlite.transaction(() => {
      const insertSite = sqlite.prepare('insert into site (id, uuid, code, name, name_key, password_hash) values (?, ?, ?, ?, ?, ?)');
      const insertStore = sqlite.prepare('insert into store (uuid, code, name, site_id) values (?, ?, ?, ?)');
      for (const s of sites) {
        insertSite.run(s.id, randomUUID(), String(s.id), s.name, nameKey(s.name), hashes.get(s.id)!);
        insertStore.run(randomUUID(), `BENCH${s.id}`, `${s.name} store`, s.id);
      }
    })();

    const running = await startServer({ core, port: 0, host: '127.0.0.1', logger: false });
    try {
      const headersPerConnection = sites.map((s) => ({
        authorization: `Basic ${Buffer.from(`${s.name}:${sha256Hex(s.password)}`).toString('base64')}`,
        'msupply-site-uuid': `bench-device-${s.id}`,
        'app-name': 'mSupply Sync Sites bench',
        'app-version': '0.0.0',
        version: String(SYNC_API_VERSION),
      }));

      // First contact of every site: scrypt runs once per site, then the cache answers.
      const coldStarted = performance.now();
      // A full sign-in queue answers 503 + Retry-After: waited and tried again, as a remote site does.
      let busy = 0;
      await inBatches(headersPerConnection, parallel * 2, async (headers) => {
        for (;;) {
          const answer = await fetch(`${running.url}/sync/v5/site`, { headers });
          await answer.arrayBuffer();
          if (answer.status === 503) {
            busy += 1;
            await new Promise((resolve) => setTimeout(resolve, Number(answer.headers.get('retry-after') ?? 1) * 1000));
            continue;
          }
          if (answer.status !== 200) throw new Error(`bench site refused: HTTP ${answer.status}`);
          return;
        }
      });
      const coldSeconds = (performance.now() - coldStarted) / 1000;

      // A short unmeasured round of each, so both routes are measured with warm JIT and caches; then
      // alternating rounds, so a change in the machine's other load affects both routes alike.
      await runLoad(running.url, '/health', headersPerConnection, 500);
      await runLoad(running.url, '/sync/v5/site', headersPerConnection, 500);
      const rounds = 3;
      const plainRounds: LoadRound[] = [];
      const authedRounds: LoadRound[] = [];
      for (let i = 0; i < rounds; i += 1) {
        plainRounds.push(await runLoad(running.url, '/health', headersPerConnection, durationMs / rounds));
        authedRounds.push(await runLoad(running.url, '/sync/v5/site', headersPerConnection, durationMs / rounds));
      }
      const plain = summarise(plainRounds);
      const authed = summarise(authedRounds);
      const plainRate = plain.rate;
      const authedRate = authed.rate;
      const ratio = authedRate / plainRate;

      const scrypt = `N=2^${Math.log2(owaspScrypt.N)} r=${owaspScrypt.r} p=${owaspScrypt.p}`;
      console.log(
        `Sync authentication: ${siteCount} sites (OWASP scrypt ${scrypt}), ${siteCount} concurrent keep-alive connections, ${durationMs / 1000} s per phase`,
      );
      console.log(
        `  setup: ${siteCount} passwords hashed in ${hashSeconds.toFixed(1)} s; first sign-in of every site (scrypt, then cached) in ${coldSeconds.toFixed(1)} s (${busy} answered 503 + Retry-After and retried)`,
      );
      console.log(
        `  GET /health        (no auth)  ${Math.round(plainRate).toString().padStart(7)} req/s  p50 ${ms(plain.p50)}  p99 ${ms(plain.p99)}  failures ${plain.failures}`,
      );
      console.log(
        `  GET /sync/v5/site  (auth)     ${Math.round(authedRate).toString().padStart(7)} req/s  p50 ${ms(authed.p50)}  p99 ${ms(authed.p99)}  failures ${authed.failures}`,
      );
      console.log(`  ratio authenticated / unauthenticated: ${ratio.toFixed(2)} (goal >= 0.8) ${ratio >= 0.8 ? 'OK' : 'BELOW GOAL'}`);
    } finally {
      await running.stop();
    }
  } finally {
    core.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchAuth().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
