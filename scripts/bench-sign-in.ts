/**
 * How much a burst of wrong passwords holds up everyone else (issue 10): with real OWASP scrypt and
 * the default limits, 200 wrong logins (or sync sign-ins) arrive at once from one address
 * (127.0.0.2), and meanwhile another user logs in (or a site's bound device signs in, with its
 * verified password forgotten as after a restart) from another address. Printed: each alone, each
 * during the burst, and how the burst was answered.
 *
 * Run alone with `npx tsx scripts/bench-sign-in.ts`; scripts/bench.ts calls benchSignIn().
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { openCore } from '../main/core';
import { startServer } from '../main/hosts/server';
import { PasswordHasher, sha256Hex } from '../main/services/passwords';
import { systemActor } from '../main/services/actor';

function post(url: string, body: unknown, from: string): Promise<number> {
  return request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-sync-sites': '1' } }, JSON.stringify(body), from);
}

function request(url: string, options: http.RequestOptions, body: string | undefined, from: string): Promise<number> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { hostname: target.hostname, port: target.port, path: target.pathname, localAddress: from, agent: false, ...options },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const syncHeaders = (site: string, password: string, device: string) => ({
  authorization: `Basic ${Buffer.from(`${site}:${sha256Hex(password)}`).toString('base64')}`,
  'msupply-site-uuid': device,
  'app-name': 'Open mSupply Desktop',
  'app-version': '2.6.0',
  version: '14',
});

async function timed(run: () => Promise<number>): Promise<{ ms: number; status: number }> {
  const started = performance.now();
  const status = await run();
  return { ms: performance.now() - started, status };
}

function tally(statuses: number[]): string {
  const counts = new Map<number, number>();
  for (const s of statuses) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts]
    .sort(([a], [b]) => a - b)
    .map(([s, n]) => `${n} x ${s}`)
    .join(', ');
}

export async function benchSignIn(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-sign-in-'));
  const hasher = new PasswordHasher();
  const core = await openCore(path.join(dir, 'central.sqlite'), {
    create: true,
    hasher,
    setup: { admin: { userName: 'admin', password: 'bench admin password' }, demo: true },
  });
  await core.users.createUser(systemActor, { name: 'clerk', password: 'clerk password', permissions: [] });
  const waikato = core.sites.getSite({ siteId: 3 });
  await core.sites.saveSite(systemActor, {
    siteId: 3,
    expectedVersion: waikato.version,
    code: waikato.code,
    name: waikato.name,
    password: 'waikato password',
    type: waikato.type,
    useJsNodeHttpClient: false,
    addStoreIds: [],
    removeStoreIds: [],
    confirmations: [],
  });
  const running = await startServer({ core, port: 0 });
  try {
    const url = running.url;
    const login = () => post(`${url}/api/op/login`, { userName: 'clerk', password: 'clerk password' }, '127.0.0.3');
    const device = () =>
      request(`${url}/sync/v5/site`, { headers: syncHeaders('Waikato', 'waikato password', 'waikato-device') }, undefined, '127.0.0.3');
    const forgetDevice = () => running.server.siteAuthenticator.credentials.forget(3);

    const during = async (burst: () => Promise<number>[], probe: () => Promise<number>) => {
      const started = performance.now();
      const answers = Promise.all(burst());
      await new Promise((resolve) => setTimeout(resolve, 100));
      const probed = await timed(probe);
      const statuses = await answers;
      return { probed, burstMs: performance.now() - started, statuses };
    };

    console.log('Sign-in bursts (OWASP scrypt, default limits; burst from 127.0.0.2, the other sign-in from 127.0.0.3)');
    const loginAlone = await timed(login);
    const logins = await during(
      () =>
        Array.from({ length: 200 }, (_, i) =>
          post(`${url}/api/op/login`, { userName: i % 2 ? 'admin' : `made-up-${i}`, password: `guess ${i}` }, '127.0.0.2'),
        ),
      login,
    );
    console.log(
      `  user login alone ${loginAlone.ms.toFixed(0)} ms; during 200 wrong logins ${logins.probed.ms.toFixed(0)} ms (HTTP ${logins.probed.status})`,
    );
    console.log(`    the burst: ${tally(logins.statuses)}, all answered in ${(logins.burstMs / 1000).toFixed(1)} s`);

    await device();
    forgetDevice();
    const deviceAlone = await timed(device);
    forgetDevice();
    const sites = await during(
      () =>
        Array.from({ length: 200 }, (_, i) =>
          request(
            `${url}/sync/v5/site`,
            { headers: syncHeaders(i % 2 ? 'Waikato' : 'Kopu HC', `guess ${i}`, `attacker-${i}`) },
            undefined,
            '127.0.0.2',
          ),
        ),
      device,
    );
    console.log(
      `  bound device sign-in (password not cached) alone ${deviceAlone.ms.toFixed(0)} ms; during 200 wrong sign-ins ${sites.probed.ms.toFixed(0)} ms (HTTP ${sites.probed.status})`,
    );
    console.log(`    the burst: ${tally(sites.statuses)}, all answered in ${(sites.burstMs / 1000).toFixed(1)} s`);
  } finally {
    await running.stop();
    core.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchSignIn().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
