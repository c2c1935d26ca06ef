/**
 * Remembers which site passwords were recently verified, because scrypt costs about 100 ms and a
 * remote site sends its credentials on every sync call. An entry is used only when the presented
 * password digest matches the verified one exactly (constant-time compare) and the site's stored
 * password hash is still the one it was verified against, so a changed password (here or by
 * another process writing the same datafile) is refused from its very next request.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { PasswordHasher } from '../../services/passwords';

interface Verified {
  /** SHA-256 of the presented (lowercase hex) password digest: the digest itself is not kept. */
  presentedFingerprint: Buffer;
  /** The stored hash it was verified against; any change to it makes the entry useless. */
  passwordHash: string;
}

function fingerprint(passwordSha256: string): Buffer {
  return createHash('sha256').update(passwordSha256, 'utf8').digest();
}

export class VerifiedCredentials {
  private readonly verified = new Map<number, Verified>();
  private readonly inFlight = new Map<string, Promise<boolean>>();
  /** Bumped by forget(): a verification that started before it must not repopulate the entry. */
  private readonly generations = new Map<number, number>();
  /** How many scrypt verifications ran (for tests and the bench). */
  scryptVerifications = 0;

  constructor(private readonly hasher: PasswordHasher) {}

  /**
   * True when this exact password was verified against this exact stored hash. Synchronous on
   * purpose: a caller that reads the site and checks here without awaiting cannot see the site
   * change in between.
   */
  isVerified(siteId: number, storedHash: string | null, presentedSha256: string): boolean {
    if (!storedHash) return false;
    const entry = this.verified.get(siteId);
    return (
      entry !== undefined &&
      entry.passwordHash === storedHash &&
      timingSafeEqual(entry.presentedFingerprint, fingerprint(presentedSha256.toLowerCase()))
    );
  }

  async verify(siteId: number, storedHash: string | null, presentedSha256: string): Promise<boolean> {
    if (!storedHash) return false;
    if (this.isVerified(siteId, storedHash, presentedSha256)) return true;
    const presented = presentedSha256.toLowerCase();
    const presentedFingerprint = fingerprint(presented);

    // Concurrent first requests of one site (e.g. after a restart) share a single scrypt run.
    const key = `${siteId}\u0000${storedHash}\u0000${presentedFingerprint.toString('hex')}`;
    let pending = this.inFlight.get(key);
    if (!pending) {
      this.scryptVerifications += 1;
      pending = this.hasher.verifySitePasswordSha256(presented, storedHash).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    const generation = this.generations.get(siteId) ?? 0;
    const ok = await pending;
    if (ok && (this.generations.get(siteId) ?? 0) === generation) {
      this.verified.set(siteId, { presentedFingerprint, passwordHash: storedHash });
    }
    return ok;
  }

  forget(siteId: number): void {
    this.verified.delete(siteId);
    this.generations.set(siteId, (this.generations.get(siteId) ?? 0) + 1);
  }

  get size(): number {
    return this.verified.size;
  }
}
