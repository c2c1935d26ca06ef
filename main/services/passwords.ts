/**
 * Password hashing. Stored form: `scrypt$N$r$p$salt$hash` (base64), so parameters can be raised later
 * without breaking stored hashes. node:crypto's scrypt runs off the event loop (costly parameters in
 * a low-priority worker thread) and gives the same bytes as RFC 7914 (a test checks this against
 * scrypt-js).
 */
import { createHash, randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { lowPriorityScrypt } from './low-priority-scrypt';

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
  keyLength: number;
}

/** OWASP's recommendation for scrypt: N=2^17, r=8, p=1. About 100 ms of CPU per hash. */
export const owaspScrypt: ScryptParams = { N: 2 ** 17, r: 8, p: 1, keyLength: 32 };

/** Parameters this costly run in the low-priority worker (see low-priority-scrypt.ts). */
const slowWork = 2 ** 14 * 8;

function scrypt(secret: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const input = Buffer.from(secret.normalize('NFC'), 'utf8');
  const maxmem = 256 * params.N * params.r * params.p + 1024 * 1024;
  if (params.N * params.r * params.p >= slowWork) {
    return lowPriorityScrypt({ secret: input, salt, keyLength: params.keyLength, N: params.N, r: params.r, p: params.p, maxmem });
  }
  return new Promise((resolve, reject) => {
    scryptCallback(input, salt, params.keyLength, { N: params.N, r: params.r, p: params.p, maxmem }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** Lowercase hex SHA-256 of a site password: what a remote site sends as its Basic password. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text.normalize('NFC'), 'utf8').digest('hex');
}

export async function hashSecret(secret: string, params: ScryptParams = owaspScrypt): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(secret, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  key: Buffer;
}

export function parseHash(stored: string): ParsedHash | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0)) return null;
  const salt = Buffer.from(parts[4] ?? '', 'base64');
  const key = Buffer.from(parts[5] ?? '', 'base64');
  if (salt.length === 0 || key.length === 0) return null;
  return { params: { N, r, p, keyLength: key.length }, salt, key };
}

/** Constant-time comparison; a malformed stored hash never verifies. */
export async function verifySecret(secret: string, stored: string | null | undefined): Promise<boolean> {
  if (!stored) return false;
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const key = await scrypt(secret, parsed.salt, parsed.params);
  return key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
}

/** Hashes of the secrets the app keeps. Injected so tests may use cheaper parameters. */
export class PasswordHasher {
  constructor(readonly params: ScryptParams = owaspScrypt) {}

  /**
   * A first guess at one check's time, before one is measured: scrypt's work grows with N * r * p,
   * and OWASP's parameters take about 300 ms on a busy 2-core machine.
   */
  get expectedCheckMs(): number {
    const { N, r, p } = this.params;
    return Math.max(1, (300 * N * r * p) / (owaspScrypt.N * owaspScrypt.r * owaspScrypt.p));
  }

  /** A site password is stored as scrypt(sha256hex(password)), since the SHA-256 is what travels. */
  hashSitePassword(password: string): Promise<string> {
    return hashSecret(sha256Hex(password), this.params);
  }

  verifySitePasswordSha256(passwordSha256: string, stored: string | null): Promise<boolean> {
    return verifySecret(passwordSha256.toLowerCase(), stored);
  }

  hashUserPassword(password: string): Promise<string> {
    return hashSecret(password, this.params);
  }

  verifyUserPassword(password: string, stored: string | null): Promise<boolean> {
    return verifySecret(password, stored);
  }
}
