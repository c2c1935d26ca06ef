/**
 * The central at national scale (issue 15): N remote sites (default 1,000; BENCH_SITES for more),
 * each with a real OWASP scrypt password hash, one store and 50 stock lines, against a central in
 * its own process, over 127.0.0.1 (from 250 loopback addresses, a few sites behind each as behind
 * a clinic's NAT). Phases:
 *
 *   1. restart: a fresh central process; every site makes its first call (GET site). The sites were
 *      verified before the restart, so their tags (key outside the datafile) spare the scrypt;
 *   2. warm: incremental syncs (site, site_status, central_records, queued_records) at a fixed
 *      concurrency (BENCH_CONCURRENCY, default 50) for BENCH_SECONDS (default 10);
 *   3. cold: BENCH_NEW_SITES (default 40) sites never verified all sign in at once: real scrypt,
 *      the bounded queue and 503 + Retry-After, which this driver honours as a remote site does;
 *   4. warm with a cold burst beside it: phase 2 again while as many other new sites sign in.
 *
 * Every call has the remote's first timeout (5 s): a timeout is an error. It prints sign-ins/s,
 * syncs/s, p50/p99 per route, errors by code, and the central's peak RSS.
 *
 * Setting up: the sites share one scrypt hash (hashing 1,000 passwords would take minutes); each is
 * still checked by its own scrypt run, as the central caches per site. "Verified before the
 * restart" is written with the central's own VerifiedCredentials.remember and the key file.
 *
 * Run alone with `npx tsx scripts/bench-many-sites.ts`; scripts/bench.ts calls benchManySites().
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { openCore } from '../main/core';
import { lines, stopChild } from './bench-child-lines';
import { loadOrCreateCredentialKey } from '../main/services/credential-key';
import { PasswordHasher, sha256Hex } from '../main/services/passwords';
import { VerifiedCredentials } from '../main/sync/central/verified-credentials';
import { nameKey } from '../shared/names';
import { SYNC_API_VERSION } from '../main/sync/protocol';

export interface BenchManySitesOptions {
  sites?: number;
  newSites?: number;
  concurrency?: number;
  seconds?: number;
}

const SITE_PASSWORD = 'bench site password';
const PASSWORD_SHA = sha256Hex(SITE_PASSWORD);
const TIMEOUT_MS = 5_000;
/** As the remote (main/net/request-with-retry.ts): Retry-After honoured up to 10 s, 3 busy retries. */
const MAX_BUSY_WAIT_MS = 10_000;
const BUSY_RETRIES = 3;
const ADDRESSES = 250;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

export interface BenchSite {
  id: number;
  name: string;
  hardwareId: string;
  address: string;
  headers: Record<string, string>;
}

function headersOf(name: string, hardwareId: string): Record<string, string> {
  return {
    authorization: `Basic ${Buffer.from(`${name}:${PASSWORD_SHA}`).toString('base64')}`,
    'msupply-site-uuid': hardwareId,
    'app-name': 'Open mSupply Desktop',
    'app-version': '2.6.0',
    version: String(SYNC_API_VERSION),
  };
}

export async function prepareCentral(
  file: string,
  keyFile: string,
  sealed: number,
  fresh: number,
): Promise<{ sealed: BenchSite[]; fresh: BenchSite[]; cursor: number }> {
  const hasher = new PasswordHasher();
  const core = await openCore(file, { create: true, hasher, setup: { admin: { userName: 'admin', password: 'bench admin password' }, demo: false } });
  try {
    const { sqlite } = core.datafile;
    const hash = await hasher.hashSitePassword(SITE_PASSWORD);
    const insertSite = sqlite.prepare(
      `insert into site (id, uuid, code, name, name_key, password_hash, hardware_id, type, initialisation_status)
       values (?, ?, ?, ?, ?, ?, ?, 'standalone', 'completed')`,
    );
    const insertStore = sqlite.prepare('insert into store (id, uuid, code, name, site_id) values (?, ?, ?, ?, ?)');
    const insertLine = sqlite.prepare('insert into store_record (id, store_id, item_code, item_name, quantity) values (?, ?, ?, ?, ?)');
    const firstId = (sqlite.prepare('select max(id) from site').pluck().get() as number) + 1;
    const firstStore = ((sqlite.prepare('select max(id) from store').pluck().get() as number | null) ?? 0) + 1;
    const make = (i: number, bound: boolean): BenchSite => {
      const id = firstId + i;
      const name = `Bench site ${i}`;
      const hardwareId = `bench-device-${i}`;
      const address = `127.0.${1 + (i % ADDRESSES)}.1`;
      return { id, name, hardwareId: bound ? hardwareId : hardwareId, address, headers: headersOf(name, hardwareId) };
    };
    const sealedSites = Array.from({ length: sealed }, (_, i) => make(i, true));
    const freshSites = Array.from({ length: fresh }, (_, i) => make(sealed + i, false));
    sqlite.transaction(() => {
      for (const [list, bound] of [
        [sealedSites, true],
        [freshSites, false],
      ] as const) {
        for (const site of list) {
          insertSite.run(site.id, randomUUID(), `B${site.id}`, site.name, nameKey(site.name), hash, bound ? site.hardwareId : '');
          const storeId = firstStore + site.id;
          insertStore.run(storeId, randomUUID(), `BS${site.id}`, `Bench store ${site.id}`, site.id);
          for (let line = 0; line < 50; line += 1) insertLine.run(randomUUID(), storeId, `ITEM-${line}`, `Bench item ${line}`, line);
        }
      }
      sqlite.prepare("insert or replace into setting (key, value) values ('highest_site_id', ?)").run(String(firstId + sealed + fresh));
    })();
    // The sealed sites were verified before the restart: the central's own code writes their tags.
    const credentials = new VerifiedCredentials(hasher, { key: loadOrCreateCredentialKey(keyFile), datafile: core.datafile });
    sqlite.transaction(() => {
      for (const site of sealedSites) {
        credentials.remember({ siteId: site.id, nameKey: nameKey(site.name), storedHash: hash, hardwareId: site.hardwareId }, PASSWORD_SHA, 0);
      }
    })();
    // Anything queued for the sites by the inserts above is what they already have.
    sqlite.prepare('delete from sync_out').run();
    const cursor = (sqlite.prepare('select coalesce(max(id), 0) from central_change').pluck().get() as number) ?? 0;
    return { sealed: sealedSites, fresh: freshSites, cursor };
  } finally {
    core.close();
  }
}

interface Answer {
  status: number;
  retryAfter: string | undefined;
  body: string;
}

/** Figures of one phase: latencies per route, errors by code. */
class Figures {
  readonly latencies = new Map<string, number[]>();
  readonly errors = new Map<string, number>();
  busy = 0;

  add(route: string, ms: number): void {
    let list = this.latencies.get(route);
    if (!list) this.latencies.set(route, (list = []));
    list.push(ms);
  }

  error(code: string): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  routes(): string {
    const at = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
    return [...this.latencies]
      .map(([route, list]) => {
        const sorted = Float64Array.from(list).sort();
        return `${route} p50 ${at(Array.from(sorted), 0.5).toFixed(1)} ms, p99 ${at(Array.from(sorted), 0.99).toFixed(1)} ms`;
      })
      .join('; ');
  }

  errorsInWords(): string {
    const parts = [...this.errors].map(([code, n]) => `${code} ${n}`);
    if (this.busy > 0) parts.push(`(503 answered and retried after Retry-After: ${this.busy})`);
    return parts.length ? parts.join(', ') : 'none';
  }
}

class Driver {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  private readonly url: URL;

  constructor(baseUrl: string) {
    this.url = new URL(baseUrl);
  }

  close(): void {
    this.agent.destroy();
  }

  private once(site: BenchSite, method: string, route: string, body?: string): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const request = http.request(
        {
          host: this.url.hostname,
          port: this.url.port,
          path: route,
          method,
          agent: this.agent,
          localAddress: site.address,
          headers: body ? { ...site.headers, 'content-type': 'application/json' } : site.headers,
          timeout: TIMEOUT_MS,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, retryAfter: response.headers['retry-after'], body: Buffer.concat(chunks).toString('utf8') }),
          );
          response.on('error', reject);
        },
      );
      request.on('timeout', () => request.destroy(Object.assign(new Error('timeout'), { code: 'client_timeout' })));
      request.on('error', reject);
      request.end(body);
    });
  }

  /** One call as the remote makes it: 503 waits Retry-After (at most 10 s) and tries again, three times. */
  async call(figures: Figures, site: BenchSite, method: string, route: string, label: string, body?: string): Promise<Answer | null> {
    for (let busy = 0; ; busy += 1) {
      const started = performance.now();
      let answer: Answer;
      try {
        answer = await this.once(site, method, route, body);
      } catch (error) {
        figures.error((error as { code?: string }).code ?? 'transport_error');
        return null;
      }
      if (answer.status === 503 && busy < BUSY_RETRIES) {
        figures.busy += 1;
        const seconds = Number(answer.retryAfter);
        await new Promise((resolve) => setTimeout(resolve, Math.min(MAX_BUSY_WAIT_MS, Number.isFinite(seconds) ? seconds * 1000 : 2000)));
        continue;
      }
      figures.add(label, performance.now() - started);
      if (answer.status >= 400) {
        let code = String(answer.status);
        try {
          code = `${answer.status} ${(JSON.parse(answer.body) as { error: { code: string } }).error.code}`;
        } catch {
          // not the error envelope
        }
        figures.error(code);
        return null;
      }
      return answer;
    }
  }

  /** An incremental sync with nothing new, as the remote runs it. */
  async sync(figures: Figures, site: BenchSite, cursor: number): Promise<boolean> {
    if (!(await this.call(figures, site, 'GET', '/sync/v5/site', 'site'))) return false;
    if (!(await this.call(figures, site, 'GET', '/sync/v5/site_status', 'site_status'))) return false;
    if (!(await this.call(figures, site, 'GET', `/sync/v5/central_records?cursor=${cursor}&limit=1000`, 'central_records'))) return false;
    const queued = await this.call(figures, site, 'GET', '/sync/v5/queued_records?limit=1000', 'queued_records');
    if (!queued) return false;
    const ids = (JSON.parse(queued.body) as { data: { syncOutId: number }[] }).data.map((r) => r.syncOutId);
    if (ids.length > 0) {
      const ack = await this.call(figures, site, 'POST', '/sync/v5/acknowledged_records', 'acknowledged_records', JSON.stringify({ syncIDs: ids }));
      if (!ack) return false;
    }
    return true;
  }
}

/** Runs `work` for each item with `concurrency` at once; returns the seconds taken. */
async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
  return (performance.now() - started) / 1000;
}

/** Warm syncs by `sites` at `concurrency` for `seconds`: syncs per second. */
async function warm(driver: Driver, sites: BenchSite[], cursor: number, concurrency: number, seconds: number, figures: Figures): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  let done = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const site = sites[next++ % sites.length]!;
        if (await driver.sync(figures, site, cursor)) done += 1;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

export async function benchManySites(options: BenchManySitesOptions = {}): Promise<void> {
  const sites = options.sites ?? Number(process.env.BENCH_SITES ?? 1000);
  const newSites = options.newSites ?? Number(process.env.BENCH_NEW_SITES ?? 40);
  const concurrency = options.concurrency ?? Number(process.env.BENCH_CONCURRENCY ?? 50);
  const seconds = options.seconds ?? Number(process.env.BENCH_SECONDS ?? 10);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-many-sites-'));
  const file = path.join(dir, 'central.sqlite');
  const keyFile = path.join(dir, 'state', 'credential-key');
  console.log(
    `Many sites (load average ${os.loadavg()[0]!.toFixed(1)}): ${sites.toLocaleString()} sites verified before a restart + 2 x ${newSites} never verified (real OWASP scrypt), ` +
      `one store and 50 lines each; ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}); concurrency ${concurrency}`,
  );
  const setupStarted = performance.now();
  const prepared = await prepareCentral(file, keyFile, sites, 2 * newSites);
  console.log(`  set up in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`);
  const coldA = prepared.fresh.slice(0, newSites);
  const coldB = prepared.fresh.slice(newSites);

  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'bench-many-sites-central.ts'), file, keyFile], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const out = lines(child, 120_000);
  const ask = async (command: 'stats' | 'rss') => {
    child.stdin!.write(`${command}\n`);
    return (await out.next(`${command} `)).slice(command.length + 1);
  };
  let driver: Driver | undefined;
  try {
    const url = (await out.next('listening ')).slice('listening '.length);
    driver = new Driver(url);

    // 1. After the restart: every site's first call.
    const restart = new Figures();
    const restartSeconds = await pool(prepared.sealed, concurrency, (site) => driver!.call(restart, site, 'GET', '/sync/v5/site', 'site'));
    const afterRestart = JSON.parse(await ask('stats')) as { scrypt: number; tags: number; overloaded: number };
    const restartRate = sites / restartSeconds;
    console.log(
      `  restart, first calls: ${sites.toLocaleString()} sites in ${restartSeconds.toFixed(2)} s = ${Math.round(restartRate).toLocaleString()} sign-ins/s ` +
        `(${afterRestart.tags} from tags, ${afterRestart.scrypt} scrypt); 10,000 sites would take ${(10_000 / restartRate).toFixed(1)} s ` +
        `(goal: within 600 s, no client timeouts); ${restart.routes()}; errors: ${restart.errorsInWords()}`,
    );

    // 2. Warm incremental syncs alone.
    const warmAlone = new Figures();
    const warmRate = await warm(driver, prepared.sealed, prepared.cursor, concurrency, seconds, warmAlone);
    console.log(`  warm syncs alone: ${Math.round(warmRate).toLocaleString()} syncs/s; ${warmAlone.routes()}; errors: ${warmAlone.errorsInWords()}`);

    // 3. A cold burst alone: every new site at once.
    const cold = new Figures();
    const before = JSON.parse(await ask('stats')) as { scrypt: number; overloaded: number };
    let coldIn = 0;
    const coldSeconds = await pool(coldA, coldA.length, async (site) => {
      if (await driver!.call(cold, site, 'GET', '/sync/v5/site', 'site')) coldIn += 1;
    });
    const afterCold = JSON.parse(await ask('stats')) as { scrypt: number; overloaded: number };
    console.log(
      `  cold sign-ins (scrypt), ${newSites} at once: ${coldIn} signed in within ${coldSeconds.toFixed(1)} s = ${(coldIn / coldSeconds).toFixed(1)} sign-ins/s ` +
        `(the rest told to come back later; ${afterCold.scrypt - before.scrypt} scrypt checks, ` +
        `${afterCold.overloaded - before.overloaded} answered 503 + Retry-After); ${cold.routes()}; errors: ${cold.errorsInWords()}`,
    );

    // 4. Warm syncs with a cold burst beside them.
    const warmDuring = new Figures();
    const burst = new Figures();
    const burstStarted = performance.now();
    let burstSeconds = 0;
    let burstIn = 0;
    const burstDone = pool(coldB, coldB.length, async (site) => {
      if (await driver!.call(burst, site, 'GET', '/sync/v5/site', 'site')) burstIn += 1;
    }).then(() => (burstSeconds = (performance.now() - burstStarted) / 1000));
    const warmDuringRate = await warm(driver, prepared.sealed, prepared.cursor, concurrency, seconds, warmDuring);
    await burstDone;
    const ratio = warmDuringRate / warmRate;
    console.log(
      `  warm syncs beside a burst of ${newSites} cold sign-ins: ${Math.round(warmDuringRate).toLocaleString()} syncs/s = ${ratio.toFixed(2)} of alone ` +
        `(goal >= 0.80: ${ratio >= 0.8 ? 'met' : 'NOT met'}); ${warmDuring.routes()}; errors: ${warmDuring.errorsInWords()}`,
    );
    console.log(
      `    the burst: ${burstIn} of ${newSites} signed in within ${burstSeconds.toFixed(1)} s (the rest told to come back later); ` +
        `${burst.routes()}; errors: ${burst.errorsInWords()}`,
    );
    const [, peak] = (await ask('rss')).split(' ');
    console.log(`  central peak RSS ${mb(Number(peak))}`);
  } finally {
    driver?.close();
    await stopChild(child);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchManySites().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
