import { scrypt as scryptJs } from 'scrypt-js';
import { owaspScrypt, parseHash, PasswordHasher, sha256Hex, verifySecret } from '../../main/services/passwords';

describe('site password hashes', () => {
  // Real OWASP parameters here: this is the hash that ships.
  const hasher = new PasswordHasher();

  it('are scrypt with OWASP parameters over the SHA-256 a remote site sends, and verify with scrypt-js too', async () => {
    const password = 'Tamaki-2026!';
    const stored = await hasher.hashSitePassword(password);
    const parsed = parseHash(stored)!;
    expect(parsed.params).toEqual(owaspScrypt);
    expect(parsed.salt).toHaveLength(16);
    expect(stored).not.toContain(password);
    expect(stored).not.toContain(sha256Hex(password));

    // scrypt-js is an independent RFC 7914 implementation: same inputs, same bytes.
    const reference = await scryptJs(
      Buffer.from(sha256Hex(password), 'utf8'),
      parsed.salt,
      parsed.params.N,
      parsed.params.r,
      parsed.params.p,
      parsed.params.keyLength,
    );
    expect(Buffer.from(reference).equals(parsed.key)).toBe(true);

    await expect(hasher.verifySitePasswordSha256(sha256Hex(password), stored)).resolves.toBe(true);
    await expect(hasher.verifySitePasswordSha256(sha256Hex(password).toUpperCase(), stored)).resolves.toBe(true);
    await expect(hasher.verifySitePasswordSha256(sha256Hex('tamaki-2026!'), stored)).resolves.toBe(false);
  }, 30_000);

  it('use a fresh salt each time, so equal passwords do not give equal hashes', async () => {
    const fast = new PasswordHasher({ N: 1024, r: 8, p: 1, keyLength: 32 });
    const [a, b] = await Promise.all([fast.hashSitePassword('same'), fast.hashSitePassword('same')]);
    expect(a).not.toBe(b);
  });
});

describe('verifying', () => {
  const fast = new PasswordHasher({ N: 1024, r: 8, p: 1, keyLength: 32 });

  it('accepts the right user password and refuses a wrong one', async () => {
    const stored = await fast.hashUserPassword('open sesame');
    await expect(fast.verifyUserPassword('open sesame', stored)).resolves.toBe(true);
    await expect(fast.verifyUserPassword('open sesame ', stored)).resolves.toBe(false);
  });

  it('never accepts a missing or malformed stored hash', async () => {
    for (const stored of [null, '', 'plain-text-password', 'scrypt$x$8$1$AAAA$BBBB', 'scrypt$1024$8$1$$']) {
      await expect(verifySecret('anything', stored)).resolves.toBe(false);
    }
  });
});

describe('costly checks run at low priority', () => {
  (process.platform === 'linux' ? it : it.skip)(
    'an OWASP check runs on a thread at nice 10, while the thread answering calls keeps its priority',
    async () => {
      const fs = await import('node:fs');
      const niceOf = (task: string) => Number(fs.readFileSync(`/proc/self/task/${task}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);
      const hasher = new PasswordHasher();
      const stored = await hasher.hashSitePassword('Tamaki-2026!');
      await expect(hasher.verifySitePasswordSha256(sha256Hex('Tamaki-2026!'), stored)).resolves.toBe(true);
      const nices = fs.readdirSync('/proc/self/task').map(niceOf);
      expect(nices).toContain(10);
      expect(niceOf(String(process.pid))).toBe(0);
    },
    30_000,
  );
});
