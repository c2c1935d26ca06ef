/**
 * The verified-credentials cache (fast repeat calls, never a wrong password, stale the moment a
 * password changes) and the slow-down / lock-out of failed sign-ins.
 */
import { openCore } from '../../../main/core';
import { PasswordHasher, sha256Hex } from '../../../main/services/passwords';
import type { SignInLimitOptions } from '../../../main/net/sign-in-limiter';
import { ADMIN, adminOf, fastHasher, unchangedDraft } from '../../helpers/core';
import { type Central, KOPU, WAIKATO, setSitePassword, siteRow, startCentral, syncCall } from '../helpers';

/** Counts scrypt verifications of site passwords. */
class CountingHasher extends PasswordHasher {
  siteVerifications = 0;
  override verifySitePasswordSha256(passwordSha256: string, stored: string | null): Promise<boolean> {
    this.siteVerifications += 1;
    return super.verifySitePasswordSha256(passwordSha256, stored);
  }
}

describe('verified-credentials cache', () => {
  let central: Central;
  let hasher: CountingHasher;

  beforeEach(async () => {
    hasher = new CountingHasher(fastHasher.params);
    central = await startCentral({ hasher });
    await setSitePassword(central.core, WAIKATO, 'waikato password');
  });
  afterEach(async () => central.stop());

  const site = (options: Parameters<typeof syncCall>[2] = {}) => syncCall(central.url, '/sync/v5/site', options);

  it('concurrent first calls of a site share one scrypt verification, and later calls need none', async () => {
    const answers = await Promise.all(Array.from({ length: 12 }, () => site({ hardwareId: 'device-A' })));
    expect(answers.map((a) => a.status)).toEqual(Array(12).fill(200));
    expect(hasher.siteVerifications).toBe(1);

    for (let i = 0; i < 5; i += 1) expect((await site({ hardwareId: 'device-A' })).status).toBe(200);
    expect(hasher.siteVerifications).toBe(1);
  });

  it('never accepts a wrong password, however often the right one was seen', async () => {
    expect((await site()).status).toBe(200);
    const wrong = await site({ password: 'waikato passwore' });
    expect(wrong.json.error.code).toBe('site_incorrect_password');
    // A digest that differs only in case is the same digest: it is not a different password.
    expect((await site({ passwordSha256: sha256Hex('waikato password').toUpperCase() })).status).toBe(200);
    expect((await site({ passwordSha256: sha256Hex('waikato password').slice(0, 63) })).status).toBe(401);
  });

  it('a password change refuses the old password from the very next call', async () => {
    expect((await site({ hardwareId: 'device-A' })).status).toBe(200);
    const admin = await adminOf(central.core);
    const saved = await central.core.sites.saveSite(admin, {
      ...unchangedDraft(central.core, WAIKATO),
      password: 'new waikato password',
      confirmations: ['change_password_of_active_site'],
    });
    expect(saved.status).toBe('saved');

    const old = await site({ hardwareId: 'device-A' });
    expect(old.json.error.code).toBe('site_incorrect_password');
    expect((await site({ hardwareId: 'device-A', password: 'new waikato password' })).status).toBe(200);
  });

  it('notices a password changed by another process on the same datafile (no event reaches this one)', async () => {
    expect((await site({ hardwareId: 'device-A' })).status).toBe(200);
    const other = await openCore(central.core.datafile.path, { hasher: fastHasher });
    try {
      const admin = await other.users.authenticate(ADMIN.userName, ADMIN.password);
      await other.sites.saveSite(admin, {
        ...unchangedDraft(other, WAIKATO),
        password: 'changed elsewhere',
        confirmations: ['change_password_of_active_site'],
      });
    } finally {
      other.close();
    }
    expect((await site({ hardwareId: 'device-A' })).json.error.code).toBe('site_incorrect_password');
    expect((await site({ hardwareId: 'device-A', password: 'changed elsewhere' })).status).toBe(200);
  });

  it('a renamed site is no longer found under its old name', async () => {
    expect((await site({ hardwareId: 'device-A' })).status).toBe(200);
    const admin = await adminOf(central.core);
    await central.core.sites.saveSite(admin, {
      ...unchangedDraft(central.core, WAIKATO),
      name: 'Waikato District',
      confirmations: ['rename_active_site'],
    });
    expect((await site({ hardwareId: 'device-A' })).json.error.code).toBe('site_name_not_found');
    expect((await site({ siteName: 'Waikato District', hardwareId: 'device-A' })).status).toBe(200);
  });

  it('a hardware ID reset by another process is noticed on the next call', async () => {
    expect((await site({ hardwareId: 'device-A' })).status).toBe(200);
    central.core.datafile.sqlite.prepare("update site set hardware_id = 'someone-else' where id = ?").run(WAIKATO);
    expect((await site({ hardwareId: 'device-A' })).json.error.code).toBe('site_incorrect_hardware_id');
  });
});

describe('failed sign-ins are slowed down, then refused', () => {
  let central: Central;
  const logLines: string[] = [];

  async function startWith(limits: Partial<SignInLimitOptions>) {
    logLines.length = 0;
    central = await startCentral({
      signInLimits: limits,
      logger: { level: 'warn', stream: { write: (line: string) => logLines.push(line) } },
    });
    await setSitePassword(central.core, WAIKATO, 'waikato password');
    await setSitePassword(central.core, KOPU, 'kopu password');
  }
  afterEach(async () => central.stop());

  const generous = { slowAfter: 100, delayMs: 0, maxDelayMs: 0, lockAfter: 100, lockMs: 60_000, windowMs: 60_000 };
  const site = (options: Parameters<typeof syncCall>[2] = {}) => syncCall(central.url, '/sync/v5/site', options);

  it('locks a site name after repeated wrong passwords: 429 too_many_attempts, even for the right password', async () => {
    await startWith({
      perName: { slowAfter: 1, delayMs: 20, maxDelayMs: 50, lockAfter: 3, lockMs: 60_000, windowMs: 60_000 },
      perAddress: generous,
    });
    for (let i = 0; i < 3; i += 1) expect((await site({ password: `guess ${i}` })).json.error.code).toBe('site_incorrect_password');

    const locked = await site();
    expect(locked.status).toBe(429);
    expect(locked.json.error.code).toBe('too_many_attempts');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(50);
    expect(siteRow(central.core, WAIKATO).hardwareId).toBe('');
    // Another site is not affected.
    expect((await site({ siteName: 'Kopu HC', password: 'kopu password' })).status).toBe(200);

    const log = logLines.join('');
    expect(log).toContain('Waikato');
    expect(log).toContain('127.0.0.1');
    expect(log).not.toContain(sha256Hex('waikato password'));
    expect(log).not.toContain(sha256Hex('guess 0'));
    expect(log).not.toContain('guess');
    expect(log).not.toMatch(/scrypt\$/);
  });

  it('locks an address that tries many site names', async () => {
    await startWith({
      perName: generous,
      perAddress: { slowAfter: 100, delayMs: 0, maxDelayMs: 0, lockAfter: 4, lockMs: 60_000, windowMs: 60_000 },
    });
    for (const name of ['Alpha', 'Beta', 'Gamma', 'Delta']) {
      expect((await site({ siteName: name })).json.error.code).toBe('site_name_not_found');
    }
    const locked = await site({ siteName: 'Kopu HC', password: 'kopu password' });
    expect(locked.status).toBe(429);
    expect(locked.json.error.code).toBe('too_many_attempts');
  });

  it('slows down attempts after a few failures', async () => {
    await startWith({
      perName: { slowAfter: 2, delayMs: 300, maxDelayMs: 300, lockAfter: 100, lockMs: 60_000, windowMs: 60_000 },
      perAddress: generous,
    });
    const timed = async (password: string) => {
      const started = performance.now();
      const answer = await site({ password });
      return { status: answer.status, ms: performance.now() - started };
    };
    expect((await timed('wrong 1')).ms).toBeLessThan(250);
    expect((await timed('wrong 2')).ms).toBeLessThan(250);
    const slowed = await timed('wrong 3');
    expect(slowed.ms).toBeGreaterThanOrEqual(290);
    expect(slowed.status).toBe(401);
    // The right password still works (after the wait), and clears the site name's count.
    const right = await timed('waikato password');
    expect(right.status).toBe(200);
    expect((await timed('wrong 4')).ms).toBeLessThan(250);
  });

  it('a lock ends after its time', async () => {
    let now = 1_000_000;
    await startWith({
      perName: { slowAfter: 100, delayMs: 0, maxDelayMs: 0, lockAfter: 2, lockMs: 5_000, windowMs: 60_000 },
      perAddress: generous,
      now: () => now,
    });
    await site({ password: 'x' });
    await site({ password: 'y' });
    expect((await site()).status).toBe(429);
    now += 5_001;
    expect((await site()).status).toBe(200);
  });
});
