/**
 * Remembers which site passwords were verified, because scrypt costs about 0.3 s of CPU and a remote
 * site sends its credentials on every sync call. An entry is used only when the presented password
 * digest matches the verified one exactly (constant-time compare), the site's stored password hash
 * is still the one it was verified against, and the site is still bound to the same device, so a
 * changed password or a reset hardware ID (here or by another process writing the same datafile) is
 * refused from its very next request.
 *
 * With a key (kept outside the datafile, see main/services/credential-key.ts) a verification also
 * survives a restart: the datafile keeps per site one tag,
 *
 *   HMAC-SHA256(key, site id | name key | stored scrypt hash | hardware ID | presented digest)
 *
 * and a presented digest whose tag matches needs no scrypt. A wrong password gives another HMAC and
 * is never accepted; a new password (new salt and hash), a reset or rebound hardware ID, or a rename
 * change the input, so the old tag matches nothing. Without the key a stolen datafile's tags are
 * random bytes: the password is as slow to guess as scrypt makes it.
 */
import { createHmac, hash, timingSafeEqual } from 'node:crypto';
import type { Datafile } from '../../../db/datafile';
import type { PasswordHasher } from '../../services/passwords';

interface Verified {
  /** SHA-256 of the presented (lowercase hex) password digest: the digest itself is not kept. */
  presentedFingerprint: Buffer;
  /** The stored hash it was verified against; any change to it makes the entry useless. */
  passwordHash: string;
  /** The device the site is bound to when the entry is used. */
  hardwareId: string;
}

/** What the site is now, as read from its row: every part is in the tag. */
export interface SiteCredentialState {
  siteId: number;
  nameKey: string;
  storedHash: string | null;
  /** The site's bound hardware ID ('' when none). */
  hardwareId: string;
}

/** One-shot SHA-256 (no Hash object per call: this runs on every sync call). */
function fingerprint(passwordSha256: string): Buffer {
  return hash('sha256', passwordSha256, 'buffer');
}

export interface VerifiedCredentialsOptions {
  /** The key of persisted tags (32 bytes); without it verifications live only in memory. */
  key?: Buffer;
  datafile?: Datafile;
}

function prepareStatements(sqlite: Datafile['sqlite']) {
  return {
    tagOf: sqlite.prepare('select tag from site_verified_credential where site_id = ?').pluck(),
    save: sqlite.prepare('insert into site_verified_credential (site_id, tag) values (?, ?) on conflict (site_id) do update set tag = excluded.tag'),
    remove: sqlite.prepare('delete from site_verified_credential where site_id = ?'),
  };
}

const tagDomain = 'msupply-sync-sites verified site credential v1';

export class VerifiedCredentials {
  private readonly verified = new Map<number, Verified>();
  private readonly inFlight = new Map<string, Promise<boolean>>();
  /** Bumped by forget(): a verification that started before it must not repopulate the entry. */
  private readonly generations = new Map<number, number>();
  private readonly key: Buffer | undefined;
  private readonly statements: ReturnType<typeof prepareStatements> | undefined;
  /** How many scrypt verifications ran (for tests and the bench). */
  scryptVerifications = 0;
  /** How many verifications were taken from a persisted tag (after a restart). */
  tagVerifications = 0;

  constructor(
    private readonly hasher: PasswordHasher,
    options: VerifiedCredentialsOptions = {},
  ) {
    if (options.key && options.datafile) {
      if (options.key.length < 32) throw new Error('The credential key must be at least 32 bytes.');
      this.key = options.key;
      this.statements = prepareStatements(options.datafile.sqlite);
    }
  }

  /** True when tags are persisted (a key was given). */
  get persistent(): boolean {
    return this.key !== undefined;
  }

  private tag(site: SiteCredentialState & { storedHash: string }, presented: string): Buffer {
    return createHmac('sha256', this.key!)
      .update([tagDomain, String(site.siteId), site.nameKey, site.storedHash, site.hardwareId, presented].join('\u0000'), 'utf8')
      .digest();
  }

  /**
   * True when this exact password was verified against this exact stored hash for this bound
   * device, in memory or by a persisted tag. Synchronous on purpose: a caller that reads the site
   * and checks here without awaiting cannot see the site change in between.
   */
  isVerified(site: SiteCredentialState, presentedSha256: string): boolean {
    const storedHash = site.storedHash;
    if (!storedHash) return false;
    const presented = presentedSha256.toLowerCase();
    const entry = this.verified.get(site.siteId);
    if (entry !== undefined && entry.passwordHash === storedHash && entry.hardwareId === site.hardwareId) {
      return timingSafeEqual(entry.presentedFingerprint, fingerprint(presented));
    }
    // A site not yet bound to a device has never been verified for one: the tag is not looked at.
    if (!this.key || site.hardwareId === '') return false;
    const stored = this.statements!.tagOf.get(site.siteId);
    if (typeof stored !== 'string') return false;
    const expected = this.tag({ ...site, storedHash }, presented);
    const given = Buffer.from(stored, 'base64');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
    this.tagVerifications += 1;
    this.verified.set(site.siteId, { presentedFingerprint: fingerprint(presented), passwordHash: storedHash, hardwareId: site.hardwareId });
    return true;
  }

  /** Checks the password with scrypt (concurrent checks of the same password share one run). */
  async verify(site: SiteCredentialState, presentedSha256: string): Promise<boolean> {
    const storedHash = site.storedHash;
    if (!storedHash) return false;
    if (this.isVerified(site, presentedSha256)) return true;
    const presented = presentedSha256.toLowerCase();

    // Concurrent first requests of one site (e.g. after a restart) share a single scrypt run.
    const key = `${site.siteId}\u0000${storedHash}\u0000${fingerprint(presented).toString('hex')}`;
    let pending = this.inFlight.get(key);
    if (!pending) {
      this.scryptVerifications += 1;
      pending = this.hasher.verifySitePasswordSha256(presented, storedHash).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  /**
   * The sign-in succeeded for this device (password verified, device bound or matching): remembered
   * in memory and, with a key, as a tag in the datafile. A failure to write the tag costs only a
   * scrypt check after the next restart.
   */
  remember(site: SiteCredentialState & { storedHash: string }, presentedSha256: string, generation: number): void {
    if ((this.generations.get(site.siteId) ?? 0) !== generation || site.hardwareId === '') return;
    const presented = presentedSha256.toLowerCase();
    const existing = this.verified.get(site.siteId);
    const presentedFingerprint = fingerprint(presented);
    if (
      existing &&
      existing.passwordHash === site.storedHash &&
      existing.hardwareId === site.hardwareId &&
      timingSafeEqual(existing.presentedFingerprint, presentedFingerprint)
    ) {
      return;
    }
    this.verified.set(site.siteId, { presentedFingerprint, passwordHash: site.storedHash, hardwareId: site.hardwareId });
    if (!this.key) return;
    try {
      this.statements!.save.run(site.siteId, this.tag(site, presented).toString('base64'));
    } catch {
      // Disk full or read-only: the memory entry still serves until the next restart.
    }
  }

  /** The generation to hand back to remember(): a forget() in between makes it a no-op. */
  generation(siteId: number): number {
    return this.generations.get(siteId) ?? 0;
  }

  forget(siteId: number): void {
    this.verified.delete(siteId);
    this.generations.set(siteId, (this.generations.get(siteId) ?? 0) + 1);
    if (!this.key) return;
    try {
      this.statements!.remove.run(siteId);
    } catch {
      // The tag no longer matches anyway: its input included the old password hash and hardware ID.
    }
  }

  get size(): number {
    return this.verified.size;
  }
}
