/**
 * Issue 10, findings 1-3 on the sync API, over real HTTP on 127.0.0.1 (and 127.0.0.2..., which are
 * this machine too): parallel guesses are counted before they are checked, a success clears no one
 * else's failures, and no number of guesses from elsewhere shuts out the site's bound device. The
 * administrator sees the failures in the Sites window's operations and can clear them.
 */
import { defaultSignInLimits, type FailureLimits } from '../../../main/net/sign-in-limiter';
import { PasswordHasher, sha256Hex } from '../../../main/services/passwords';
import { SESSION_COOKIE } from '../../../shared/http-api';
import { ADMIN, fastHasher, viewerOf } from '../../helpers/core';
import { httpFrom } from '../../helpers/http-from';
import { type Central, KOPU, WAIKATO, setSitePassword, siteRow, startCentral, syncHeadersFor, type SyncCallOptions } from '../helpers';

/** Counts site password checks, and how many run at once. */
class WatchingHasher extends PasswordHasher {
  checks = 0;
  running = 0;
  mostAtOnce = 0;
  override async verifySitePasswordSha256(passwordSha256: string, stored: string | null): Promise<boolean> {
    this.checks += 1;
    this.running += 1;
    this.mostAtOnce = Math.max(this.mostAtOnce, this.running);
    try {
      // A little slower than fastHasher, so that parallel checks really overlap.
      await new Promise((resolve) => setTimeout(resolve, 20));
      return await super.verifySitePasswordSha256(passwordSha256, stored);
    } finally {
      this.running -= 1;
    }
  }
}

let central: Central;
let hasher: WatchingHasher;
afterEach(async () => central?.stop());

const noDelay = (lockAfter: number): FailureLimits => ({
  slowAfter: 1000,
  delayMs: 0,
  maxDelayMs: 0,
  lockAfter,
  lockMs: 15 * 60_000,
  windowMs: 15 * 60_000,
});

async function start(limits: Parameters<typeof startCentral>[0] = {}) {
  hasher = new WatchingHasher(fastHasher.params);
  central = await startCentral({ hasher, ...limits });
  await setSitePassword(central.core, WAIKATO, 'waikato password');
  await setSitePassword(central.core, KOPU, 'kopu password');
}

const site = (options: SyncCallOptions & { from?: string } = {}) =>
  httpFrom(`${central.url}/sync/v5/site`, { headers: syncHeadersFor(options), from: options.from });

const statuses = (answers: { status: number }[]) =>
  answers.reduce<Record<number, number>>((counts, a) => ({ ...counts, [a.status]: (counts[a.status] ?? 0) + 1 }), {});

describe('finding 1: parallel guesses are counted before their password is checked', () => {
  it('60 parallel wrong passwords for Waikato from one address: 10 are checked (401), 50 are refused (429)', async () => {
    await start({ signInLimits: { perName: defaultSignInLimits.perName, perAddress: defaultSignInLimits.perAddress } });
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => site({ password: `guess ${i}`, hardwareId: 'attacker' })));
    expect(statuses(answers)).toEqual({ 401: 10, 429: 50 });
    expect(hasher.checks).toBe(10);
    // At most a few checks of one name run at once.
    expect(hasher.mostAtOnce).toBeLessThanOrEqual(2);
    const refused = answers.find((a) => a.status === 429)!;
    expect(refused.json.error.code).toBe('too_many_attempts');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(60);
  });
});

describe('finding 2: a success never clears failures counted from other addresses or devices', () => {
  it('nine guesses, then a call of the real site, repeated four times: only 10 guesses are ever checked', async () => {
    await start({ signInLimits: { perName: noDelay(10), perAddress: noDelay(1000) } });
    expect((await site({ hardwareId: 'device-A' })).status).toBe(200); // binds device-A
    const guesses: number[] = [];
    for (let round = 0; round < 4; round += 1) {
      for (let i = 0; i < 9; i += 1) guesses.push((await site({ password: `guess ${round}.${i}`, hardwareId: 'attacker' })).status);
      expect((await site({ hardwareId: 'device-A' })).status).toBe(200);
    }
    expect(guesses.filter((s) => s === 401)).toHaveLength(10);
    expect(guesses.filter((s) => s === 429)).toHaveLength(26);
  });

  it('the real site signing in from another address does not clear the guesses of this one (unbound site)', async () => {
    await start({ signInLimits: { perName: noDelay(10), perAddress: noDelay(1000) } });
    for (let i = 0; i < 9; i += 1) expect((await site({ siteName: 'Kopu HC', password: `guess ${i}`, from: '127.0.0.2' })).status).toBe(401);
    central.core.datafile.sqlite.prepare("update site set hardware_id = '' where id = ?").run(KOPU);
    expect((await site({ siteName: 'Kopu HC', password: 'kopu password', hardwareId: 'kopu-device', from: '127.0.0.1' })).status).toBe(200);
    expect((await site({ siteName: 'Kopu HC', password: 'guess 9', from: '127.0.0.2' })).status).toBe(401);
    expect((await site({ siteName: 'Kopu HC', password: 'guess 10', from: '127.0.0.2' })).status).toBe(429);
  });
});

describe('finding 3: an attacker cannot lock a site out, and the administrator sees and clears failures', () => {
  it('the bound device with the right password always gets through, whatever others tried', async () => {
    await start({ signInLimits: { perName: noDelay(10), perAddress: noDelay(25) } });
    expect((await site({ hardwareId: 'device-A' })).status).toBe(200);
    // Central's cache forgotten (as after a restart), so the device's password is checked again.
    central.running.server.siteAuthenticator.credentials.forget(WAIKATO);
    // Guesses from this address (the device's own) and three others: 60 in parallel.
    const addresses = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'];
    const guesses = await Promise.all(
      Array.from({ length: 60 }, (_, i) => site({ password: `guess ${i}`, hardwareId: `attacker-${i}`, from: addresses[i % 4] })),
    );
    expect(statuses(guesses)[429]).toBeGreaterThan(0);
    for (const from of addresses) {
      expect((await site({ password: 'one more', hardwareId: 'attacker', from })).status).toBe(429);
    }
    expect((await site({ hardwareId: 'device-A', from: '127.0.0.1' })).status).toBe(200);
    expect((await site({ hardwareId: 'device-A', from: '127.0.0.9' })).status).toBe(200);
    // Other devices of a bound site can never get in: after this many guesses they are all locked out.
    expect((await site({ hardwareId: 'device-B', from: '127.0.0.5' })).json.error.code).toBe('too_many_attempts');
  });

  it('the bound device itself is slowed, never locked', async () => {
    await start({ signInLimits: { perName: { ...noDelay(3), slowAfter: 2, delayMs: 40, maxDelayMs: 80 }, perAddress: noDelay(1000) } });
    expect((await site({ hardwareId: 'device-A' })).status).toBe(200);
    for (let i = 0; i < 6; i += 1) expect((await site({ hardwareId: 'device-A', password: `old password ${i}` })).status).toBe(401);
    // Without a verified password in memory (a restart), the device's right password is checked after the slow-down.
    central.running.server.siteAuthenticator.credentials.forget(WAIKATO);
    const started = performance.now();
    expect((await site({ hardwareId: 'device-A' })).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(70);
  });

  it('the Sites window shows recent failures (count, last address, locked until), and an administrator clears them', async () => {
    await start({ signInLimits: { perName: noDelay(5), perAddress: noDelay(1000) } });
    for (let i = 0; i < 6; i += 1) await site({ password: `guess ${i}`, from: '127.0.0.7' });
    expect((await site({ from: '127.0.0.7' })).status).toBe(429);

    const api = async (operation: string, input: unknown, cookie?: string) => {
      const answer = await httpFrom(`${central.url}/api/op/${operation}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-sync-sites': '1', ...(cookie ? { cookie: `${SESSION_COOKIE}=${cookie}` } : {}) },
        body: JSON.stringify(input),
      });
      const setCookie = String(answer.headers['set-cookie'] ?? '');
      return { ...answer, cookie: setCookie.match(new RegExp(`${SESSION_COOKIE}=([^;]*)`))?.[1] };
    };
    const admin = (await api('login', ADMIN)).cookie!;
    const seen = await api('getSiteSignInFailures', { siteId: WAIKATO }, admin);
    expect(seen.json.value).toMatchObject({ failures: 5, lastAddress: '127.0.0.7' });
    expect(Date.parse(seen.json.value.lockedUntil)).toBeGreaterThan(Date.now() + 14 * 60_000);
    expect(seen.text).not.toContain(sha256Hex('guess 0'));

    await viewerOf(central.core);
    const viewer = (await api('login', { userName: 'viewer', password: 'just looking 123' })).cookie!;
    expect((await api('clearSiteSignInFailures', { siteId: WAIKATO }, viewer)).json.error.code).toBe('permission_denied');
    expect((await api('getSiteSignInFailures', { siteId: WAIKATO }, viewer)).json.error.code).toBe('permission_denied');

    const cleared = await api('clearSiteSignInFailures', { siteId: WAIKATO }, admin);
    expect(cleared.json.value).toEqual({ failures: 0, lastAddress: null, lastFailureAt: null, lockedUntil: null });
    expect((await site({ from: '127.0.0.7' })).status).toBe(200);
    expect(siteRow(central.core, WAIKATO).hardwareId).toBe('waikato-device');
  });
});
