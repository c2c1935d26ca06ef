/**
 * What authentication and the site answer cost on the central (issue 15's goal: authenticated
 * `GET /sync/v5/site` at >= 0.8 of a bare route's throughput on the same server). The central runs
 * in its own process (scripts/bench-many-sites-central.ts, as after a restart, with its credential
 * key); this process drives it over 127.0.0.1 with a fixed number of keep-alive connections
 * (BENCH_CONCURRENCY, default 50), each connection one of BENCH_SITES (default 100) remote sites
 * already verified and bound to their device, in alternating rounds of the bare route
 * (`GET /health`: no authentication, no datafile) and `GET /sync/v5/site`.
 *
 * It prints both rates, their ratio, and the central's CPU time per request for each route (read
 * from the central process): on 2 cores the driver and the central share the machine, so when the
 * driver is the limit the CPU per request still says what each route costs the central.
 *
 * Profile the central with BENCH_CENTRAL_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof".
 * Run alone with `npx tsx scripts/bench-site-route.ts`; scripts/bench.ts calls benchSiteRoute().
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { lines, stopChild } from './bench-child-lines';
import { type BenchSite, prepareCentral } from './bench-many-sites';

export interface BenchSiteRouteOptions {
  sites?: number;
  concurrency?: number;
  /** Measured seconds per route, split into alternating rounds. */
  seconds?: number;
}

interface Round {
  done: number;
  failures: number;
  seconds: number;
  cpuMicros: number;
  latencies: number[];
}

/** `concurrency` keep-alive connections calling `route` until the deadline, each as its own site. */
async function round(
  url: URL,
  agent: http.Agent,
  sites: BenchSite[],
  route: string,
  concurrency: number,
  ms: number,
): Promise<Omit<Round, 'cpuMicros'>> {
  const latencies: number[] = [];
  let failures = 0;
  const once = (site: BenchSite) =>
    new Promise<void>((resolve) => {
      const started = performance.now();
      const request = http.request({ host: url.hostname, port: url.port, path: route, method: 'GET', agent, headers: site.headers }, (response) => {
        response.resume();
        response.on('end', () => {
          if (response.statusCode === 200) latencies.push(performance.now() - started);
          else failures += 1;
          resolve();
        });
      });
      request.on('error', () => {
        failures += 1;
        resolve();
      });
      request.end();
    });
  const started = performance.now();
  const deadline = started + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, connection) => {
      while (performance.now() < deadline) await once(sites[connection % sites.length]!);
    }),
  );
  return { done: latencies.length, failures, seconds: (performance.now() - started) / 1000, latencies };
}

function summary(rounds: Round[]) {
  const done = rounds.reduce((sum, r) => sum + r.done, 0);
  const seconds = rounds.reduce((sum, r) => sum + r.seconds, 0);
  const cpuMicros = rounds.reduce((sum, r) => sum + r.cpuMicros, 0);
  const sorted = Float64Array.from(rounds.flatMap((r) => r.latencies)).sort();
  const at = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : Number.NaN);
  return {
    rate: done / seconds,
    failures: rounds.reduce((sum, r) => sum + r.failures, 0),
    p50: at(0.5),
    p99: at(0.99),
    cpuPerRequest: cpuMicros / Math.max(1, done),
    cpuShare: cpuMicros / 1e6 / seconds,
  };
}

export async function benchSiteRoute(options: BenchSiteRouteOptions = {}): Promise<{ ratio: number }> {
  const siteCount = options.sites ?? Number(process.env.BENCH_SITES ?? 100);
  const concurrency = options.concurrency ?? Number(process.env.BENCH_CONCURRENCY ?? 50);
  const seconds = options.seconds ?? Number(process.env.BENCH_SECONDS ?? 6);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-site-route-'));
  const file = path.join(dir, 'central.sqlite');
  const keyFile = path.join(dir, 'state', 'credential-key');
  const prepared = await prepareCentral(file, keyFile, siteCount, 0);
  const nodeArgs = (process.env.BENCH_CENTRAL_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(__dirname, 'bench-many-sites-central.ts'), file, keyFile], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const out = lines(child, 120_000);
  const cpu = async () => {
    child.stdin!.write('cpu\n');
    return Number((await out.next('cpu ')).slice('cpu '.length));
  };
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  try {
    const url = new URL((await out.next('listening ')).slice('listening '.length));
    const measure = async (route: string, ms: number): Promise<Round> => {
      const before = await cpu();
      const result = await round(url, agent, prepared.sealed, route, concurrency, ms);
      return { ...result, cpuMicros: (await cpu()) - before };
    };
    // Unmeasured: every site's first call after the restart (its tag), then warm JIT for both routes.
    await measure('/sync/v5/site', 1000);
    await measure('/health', 1000);
    // Alternating rounds, so a change in the machine's other load affects both routes alike.
    const rounds = 6;
    const bare: Round[] = [];
    const site: Round[] = [];
    for (let i = 0; i < rounds; i += 1) {
      bare.push(await measure('/health', (seconds * 1000) / rounds));
      site.push(await measure('/sync/v5/site', (seconds * 1000) / rounds));
    }
    const b = summary(bare);
    const s = summary(site);
    const ratio = s.rate / b.rate;
    const line = (label: string, f: ReturnType<typeof summary>) =>
      `  ${label} ${Math.round(f.rate).toString().padStart(6)} req/s  p50 ${f.p50.toFixed(1)} ms  p99 ${f.p99.toFixed(1)} ms  ` +
      `central CPU ${f.cpuPerRequest.toFixed(0)} us/request (${Math.round(f.cpuShare * 100)}% of a core)  failures ${f.failures}`;
    console.log(
      `GET site against a bare route (load average ${os.loadavg()[0]!.toFixed(2)}): a central in its own process, ${siteCount} verified sites, ` +
        `${concurrency} keep-alive connections, ${seconds} s per route in ${rounds} alternating rounds`,
    );
    console.log(line('GET /health        (bare)', b));
    console.log(line('GET /sync/v5/site  (auth)', s));
    console.log(
      `  ratio authenticated / bare: ${ratio.toFixed(2)} by rate, ${(b.cpuPerRequest / s.cpuPerRequest).toFixed(2)} by central CPU per request ` +
        `(goal >= 0.8: ${ratio >= 0.8 ? 'met' : 'NOT met'})`,
    );
    return { ratio };
  } finally {
    agent.destroy();
    await stopChild(child);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchSiteRoute().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
