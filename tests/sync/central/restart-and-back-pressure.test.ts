/**
 * Issue 15: the central at national scale. Over real HTTP on 127.0.0.1 with real datafiles:
 * - a verified site stays verified across a restart (a tag under a key kept outside the datafile),
 *   and a changed password, a reset hardware ID, or another key do not;
 * - a wrong password is never accepted from any cache (memory or tag), in a seeded random run of
 *   restarts, password changes, resets and calls from other devices;
 * - past the bounded wait queue of slow checks the central answers 503 with Retry-After (sites and
 *   administrators' logins), and a remote site honours it.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { openCore, type Core } from '../../../main/core';
import { loadOrCreateCredentialKey } from '../../../main/services/credential-key';
import { PasswordHasher } from '../../../main/services/passwords';
import { startServer, type RunningServer } from '../../../main/hosts/server';
import { requestWithRetry } from '../../../main/net/request-with-retry';
import { NodeHttpClient } from '../../../main/net/node-http-client';
import { ADMIN, adminOf, fastHasher, tempDir } from '../../helpers/core';
import { withSeed } from '../../helpers/seeded-random';
import { KOPU, noLimits, setSitePassword, syncCall, syncHeadersFor, WAIKATO } from '../helpers';

/** Counts site password checks (scrypt runs); optionally holds each until released. */
class CountingHasher extends PasswordHasher {
  checks = 0;
  gate: Promise<void> | null = null;
  override async verifySitePasswordSha256(passwordSha256: string, stored: string | null): Promise<boolean> {
    this.checks += 1;
    if (this.gate) await this.gate;
    return super.verifySitePasswordSha256(passwordSha256, stored);
  }
}

interface Running {
  core: Core;
  server: RunningServer;
  hasher: CountingHasher;
}

let file: string;
let key: Buffer;
let current: Running | null = null;

async function open(
  options: { key?: Buffer; signInLimits?: Parameters<typeof startServer>[0]['signInLimits']; connectionRecordIntervalMs?: number } = {},
): Promise<Running> {
  const hasher = new CountingHasher(fastHasher.params);
  const core = await openCore(file, { create: true, hasher, setup: { admin: ADMIN, demo: true } });
  const server = await startServer({
    core,
    port: 0,
    signInLimits: options.signInLimits ?? noLimits,
    connectionRecordIntervalMs: options.connectionRecordIntervalMs ?? 0,
    credentialKey: 'key' in options ? options.key : key,
  });
  current = { core, server, hasher };
  return current;
}

/** Stops the server and closes the datafile: nothing in memory survives. */
async function stop(): Promise<void> {
  if (!current) return;
  await current.server.stop();
  current.core.close();
  current = null;
}

async function restart(options: Parameters<typeof open>[0] = {}): Promise<Running> {
  await stop();
  return open(options);
}

const site = (r: Running, options: Parameters<typeof syncCall>[2] = {}) => syncCall(r.server.url, '/sync/v5/site', options);

beforeEach(() => {
  file = path.join(tempDir('restart-'), 'central.sqlite');
  key = randomBytes(32);
});
afterEach(stop);

describe('a verified site stays verified across a restart', () => {
  it('after a restart the bound device signs in without a scrypt check; the tag is not the password', async () => {
    let r = await open();
    await setSitePassword(r.core, WAIKATO, 'waikato password');
    expect((await site(r, { hardwareId: 'device-A' })).status).toBe(200);
    expect(r.hasher.checks).toBe(1);
    const tag = r.core.datafile.sqlite.prepare('select tag from site_verified_credential where site_id = ?').pluck().get(WAIKATO) as string;
    expect(Buffer.from(tag, 'base64')).toHaveLength(32);
    expect(fs.readFileSync(file).includes(Buffer.from(key.toString('hex')))).toBe(false);

    r = await restart();
    expect((await site(r, { hardwareId: 'device-A' })).status).toBe(200);
    expect((await site(r, { hardwareId: 'device-A' })).status).toBe(200);
    expect(r.hasher.checks).toBe(0);
    expect(r.server.server.siteAuthenticator.credentials.tagVerifications).toBe(1);
  });

  it('a wrong password is refused after a restart although the site has a tag', async () => {
    let r = await open();
    await setSitePassword(r.core, WAIKATO, 'waikato password');
    expect((await site(r, { hardwareId: 'device-A' })).status).toBe(200);
    r = await restart();
    const wrong = await site(r, { hardwareId: 'device-A', password: 'waikato passwore' });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error.code).toBe('site_incorrect_password');
    expect(r.hasher.checks).toBe(1);
    // The right one still gets in from the tag.
    expect((await site(r, { hardwareId: 'device-A' })).status).toBe(200);
    expect(r.hasher.checks).toBe(1);
  });

  it('a changed password is not verified by the old tag: the old password is refused, the new one checked once', async () => {
    let r = await open();
    await setSitePassword(r.core, WAIKATO, 'waikato password');
    expect((await site(r, { hardwareId: 'device-A' })).status).toBe(200);
    await stop();
    // Changed by another program on the same datafile (no event reaches this server's memory).
    r = await open({ key: undefined });
    await setSitePassword(r.core, WAIKATO, 'new waikato password');
    r = await restart();
    expect((await site(r, { hardwareId: 'device-A' })).status).toBe(401);
    expect((await site(r, { hardwareId: 'device-A', password: 'new waikato password' })).status).toBe(200);
    expect(r.hasher.checks).toBe(2);
  });

  it('a reset hardware ID is not kept verified: the next sign-in is checked with scrypt and binds again', async () => {
    let r = await open();
    await setSitePassword(r.core, WAIKATO, 'waikato password');
    expect((await site(r, { hardwareId: 'device-A' })).status).toBe(200);
    const admin = await adminOf(r.core);
    r.core.sites.resetHardwareId(admin, { siteId: WAIKATO, confirmed: true });
    r = await restart();
    expect((await site(r, { hardwareId: 'device-B' })).status).toBe(200);
    expect(r.hasher.checks).toBe(1);
    // Device A's tag is no use any more: the site is bound to B.
    r = await restart();
    expect((await site(r, { hardwareId: 'device-A' })).json.error.code).toBe('site_incorrect_hardware_id');
  });

  it('a reset made by another program (the tag left in place) still needs a scrypt check', async () => {
    let r = await open();
    await setSitePassword(r.core, WAIKATO, 'waikato password');
    expect((await site(r, { hardwareId: 'device-A' })).status).toBe(200);
    await stop();
    r = await open();
    r.core.datafile.sqlite.prepare("update site set hardware_id = '' where id = ?").run(WAIKATO);
    expect(r.core.datafile.sqlite.prepare('select count(*) from site_verified_credential').pluck().get()).toBe(1);
    expect((await site(r, { hardwareId: 'device-A' })).status).toBe(200);
    expect(r.hasher.checks).toBe(1);
  });

  it('with another key (a copied datafile on another machine) the tags verify nothing', async () => {
    let r = await open();
    await setSitePassword(r.core, WAIKATO, 'waikato password');
    expect((await site(r, { hardwareId: 'device-A' })).status).toBe(200);
    r = await restart({ key: randomBytes(32) });
    expect((await site(r, { hardwareId: 'device-A' })).status).toBe(200);
    expect(r.hasher.checks).toBe(1);
    expect(r.server.server.siteAuthenticator.credentials.tagVerifications).toBe(0);
  });

  it('the key file is made once, owner-only, and a damaged one is refused in words', () => {
    const keyFile = path.join(tempDir('key-'), 'state', 'credential-key');
    const made = loadOrCreateCredentialKey(keyFile);
    expect(made).toHaveLength(32);
    expect(loadOrCreateCredentialKey(keyFile).equals(made)).toBe(true);
    if (process.platform !== 'win32') expect(fs.statSync(keyFile).mode & 0o077).toBe(0);
    fs.writeFileSync(keyFile, 'not a key');
    expect(() => loadOrCreateCredentialKey(keyFile)).toThrow(/does not hold a key this program made/);
  });
});

describe('the first calls after a restart write no disk sync each', () => {
  it("a bound site's contact time and app details are written with others shortly after, and on stop", async () => {
    let r = await open({ connectionRecordIntervalMs: 10_000 });
    await setSitePassword(r.core, WAIKATO, 'waikato password');
    await setSitePassword(r.core, KOPU, 'kopu password');
    expect((await site(r, { hardwareId: 'device-A' })).status).toBe(200);
    expect((await site(r, { siteName: 'Kopu HC', password: 'kopu password', hardwareId: 'kopu-device' })).status).toBe(200);
    r = await restart({ connectionRecordIntervalMs: 10_000 });
    const row = r.core.datafile.sqlite.prepare('select app_version as appVersion, last_connected_at as at from site where id = ?');
    const before = row.get(WAIKATO) as { appVersion: string; at: string };
    expect((await site(r, { hardwareId: 'device-A', appVersion: '2.7.0' })).status).toBe(200);
    expect((await site(r, { siteName: 'Kopu HC', password: 'kopu password', hardwareId: 'kopu-device', appVersion: '2.7.0' })).status).toBe(200);
    // Not yet: answered without a write transaction of its own.
    expect((row.get(WAIKATO) as { appVersion: string }).appVersion).toBe(before.appVersion);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(row.get(WAIKATO)).toMatchObject({ appVersion: '2.7.0' });
    expect((row.get(KOPU) as { appVersion: string }).appVersion).toBe('2.7.0');
    expect((row.get(WAIKATO) as { at: string }).at > before.at).toBe(true);
    // A record still waiting when the server stops is written before the datafile closes.
    expect((await site(r, { hardwareId: 'device-A', appVersion: '2.8.0' })).status).toBe(200);
    r = await restart({ connectionRecordIntervalMs: 10_000 });
    expect(r.core.datafile.sqlite.prepare('select app_version from site where id = ?').pluck().get(WAIKATO)).toBe('2.8.0');
  });
});

describe('a wrong password is never accepted from any cache', () => {
  it('random restarts, password changes, resets and other devices: a call succeeds exactly when it should', async () => {
    await withSeed(async (random) => {
      let r = await open();
      const passwords = ['first secret', 'second secret', 'third secret'];
      let password = passwords[0]!;
      await setSitePassword(r.core, WAIKATO, password);
      let bound = '';
      const devices = ['device-A', 'device-B'];
      for (let step = 0; step < 60; step += 1) {
        const action = random.below(10);
        if (action === 0) {
          r = await restart();
        } else if (action === 1) {
          password = passwords[random.below(passwords.length)]!;
          await setSitePassword(r.core, WAIKATO, password);
        } else if (action === 2) {
          r.core.sites.resetHardwareId(await adminOf(r.core), { siteId: WAIKATO, confirmed: true });
          bound = '';
        } else {
          const tried = random.below(3) === 0 ? passwords[random.below(passwords.length)]! : password;
          const device = devices[random.below(devices.length)]!;
          const answer = await site(r, { password: tried, hardwareId: device });
          const expected = tried !== password ? 401 : bound !== '' && bound !== device ? 401 : 200;
          if (answer.status !== expected) {
            throw new Error(
              `step ${step}: ${device} with ${tried === password ? 'the right' : 'a wrong'} password answered ${answer.status}, expected ${expected}`,
            );
          }
          if (tried !== password) expect(answer.json.error.code).toBe('site_incorrect_password');
          if (expected === 200) bound = device;
        }
      }
    });
  });
});

describe('back-pressure: a bounded queue of slow checks, then 503 with Retry-After', () => {
  it('sites: past the queue bound the central answers 503 sign_in_queue_full with Retry-After; the rest get in', async () => {
    let release!: () => void;
    const r = await open({
      signInLimits: {
        ...noLimits,
        concurrency: { perName: 2, perAddress: 100, total: 1, deviceWaiting: 2, maxWaiting: 3 },
      },
    });
    await setSitePassword(r.core, WAIKATO, 'waikato password');
    await setSitePassword(r.core, KOPU, 'kopu password');
    r.hasher.gate = new Promise((resolve) => (release = resolve));
    // One running and two waiting (one address may take three quarters of the queue of 3) fill it;
    // the others are told to come back.
    const calls = Array.from({ length: 8 }, (_, i) =>
      site(r, i % 2 ? { siteName: 'Kopu HC', password: 'kopu password', hardwareId: `kopu-${i}` } : { hardwareId: `waikato-${i}` }),
    );
    const waitUntil = async () => {
      for (let i = 0; i < 200 && r.server.core.signIns.sites.waitingChecks < 2; i += 1) await new Promise((res) => setTimeout(res, 10));
    };
    await waitUntil();
    await new Promise((res) => setTimeout(res, 100));
    release();
    const answers = await Promise.all(calls);
    const busy = answers.filter((a) => a.status === 503);
    expect(busy).toHaveLength(5);
    for (const answer of busy) {
      expect(answer.json.error.code).toBe('sign_in_queue_full');
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    // Refused for load, not counted as failures: no one is slowed or locked for it.
    const failures = r.core.signIns.sites.summaries().reduce((sum, s) => sum + s.failures, 0);
    expect(failures).toBe(answers.filter((a) => a.status === 401).length);
    expect(answers.filter((a) => a.status !== 503)).toHaveLength(3);
  });

  it('a remote site that meets a full queue waits as Retry-After says and then gets in', async () => {
    let release!: () => void;
    const r = await open({
      signInLimits: { ...noLimits, concurrency: { perName: 2, perAddress: 100, total: 1, deviceWaiting: 2, maxWaiting: 1 } },
    });
    await setSitePassword(r.core, WAIKATO, 'waikato password');
    await setSitePassword(r.core, KOPU, 'kopu password');
    r.hasher.gate = new Promise((resolve) => (release = resolve));
    const first = site(r, { siteName: 'Kopu HC', password: 'kopu password', hardwareId: 'kopu-1' });
    const second = site(r, { siteName: 'Kopu HC', password: 'kopu password', hardwareId: 'kopu-2' });
    while (r.core.signIns.sites.waitingChecks < 1) await new Promise((res) => setTimeout(res, 10));
    const waits: number[] = [];
    const answer = requestWithRetry(
      new NodeHttpClient(),
      { method: 'GET', url: `${r.server.url}/sync/v5/site`, headers: syncHeadersFor({ hardwareId: 'waikato-device' }) },
      undefined,
      async (ms) => {
        waits.push(ms);
        release();
        r.hasher.gate = null;
        await Promise.all([first, second]);
      },
    );
    expect((await answer).status).toBe(200);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(1000);
  });

  it('administrators: past the login queue bound the admin API answers 503 server_busy with Retry-After', async () => {
    const hasher = new (class extends PasswordHasher {
      gate: Promise<void> | null = null;
      override async verifyUserPassword(password: string, stored: string | null) {
        if (this.gate) await this.gate;
        return super.verifyUserPassword(password, stored);
      }
    })(fastHasher.params);
    const core = await openCore(file, { create: true, hasher, setup: { admin: ADMIN, demo: false } });
    const server = await startServer({
      core,
      port: 0,
      adminApi: { loginLimits: { concurrency: { perName: 1, perAddress: 1, total: 1, deviceWaiting: 1, maxWaiting: 2 } } },
    });
    current = { core, server, hasher: new CountingHasher(fastHasher.params) };
    let release!: () => void;
    hasher.gate = new Promise((resolve) => (release = resolve));
    const login = (i: number) =>
      fetch(`${server.url}/api/op/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-sync-sites': '1' },
        body: JSON.stringify({ userName: `someone-${i}`, password: 'not the password' }),
      }).then(async (res) => ({ status: res.status, retryAfter: res.headers.get('retry-after'), json: (await res.json()) as any }));
    const calls = Array.from({ length: 6 }, (_, i) => login(i));
    while (core.signIns.users.waitingChecks < 1) await new Promise((res) => setTimeout(res, 10));
    await new Promise((res) => setTimeout(res, 100));
    release();
    const answers = await Promise.all(calls);
    const busy = answers.filter((a) => a.status === 503);
    // One running, one waiting (an address may take three quarters of a queue of 2, at least one).
    expect(busy).toHaveLength(4);
    for (const answer of busy) {
      expect(answer.json.error.code).toBe('server_busy');
      expect(answer.json.error.message).toMatch(/Try again in \d+ second/);
      expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
    }
    expect(answers.filter((a) => a.status === 401)).toHaveLength(2);
  });
});
