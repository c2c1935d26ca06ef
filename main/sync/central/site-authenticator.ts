/**
 * Who is calling the central server: checks a remote site's credentials and hardware ID on every
 * sync call, binds the hardware ID on first contact, and records what the caller said about itself
 * (app name and version, sync version, connection times, device type).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Datafile } from '../../../db/datafile';
import { nameKey } from '../../../shared/names';
import type { PasswordHasher } from '../../services/passwords';
import type { SiteService } from '../../services/site-service';
import { SyncApiError } from '../protocol';
import { retryInWords, type SignInLimitOptions, SignInLimiter } from '../../net/sign-in-limiter';
import { readSyncCaller, type SyncCaller } from './sync-headers';
import { DatafileChanges } from './datafile-changes';
import { type SiteCredentialState, VerifiedCredentials } from './verified-credentials';

export interface AuthenticatedSite {
  id: number;
  uuid: string;
  code: string;
  name: string;
  type: 'standalone' | 'mobile';
  initialisationStatus: 'new' | 'started' | 'completed' | 'error';
  hardwareId: string;
  caller: SyncCaller;
  /** The datafile's generation (datafile-changes.ts) when the site's row was read. */
  generation: number;
}

/** Where security events go: site name and address only, never a password or hash. */
export interface AuthLog {
  warn(details: Record<string, unknown>, message: string): void;
}

export interface SiteAuthenticatorOptions {
  /** Applied to the sign-in limiter of the sites (the core's, so the Sites window sees its counts). */
  signInLimits?: Partial<SignInLimitOptions>;
  /**
   * last_connected_at is rewritten at most this often per site (when nothing else changed), so a
   * busy site does not cost a disk sync on every call. 0 records every call.
   */
  connectionRecordIntervalMs?: number;
  /**
   * The key of verified credentials that survive a restart (see verified-credentials.ts). It must
   * come from outside the datafile (main/services/credential-key.ts); without it every site needs
   * one scrypt check after each restart.
   */
  credentialKey?: Buffer;
}

interface SiteRow {
  id: number;
  uuid: string;
  code: string;
  name: string;
  nameKey: string;
  passwordHash: string | null;
  hardwareId: string;
  type: 'standalone' | 'mobile';
  isCentral: number;
  initialisationStatus: AuthenticatedSite['initialisationStatus'];
  appName: string | null;
  appVersion: string | null;
  syncVersion: number | null;
  lastConnectedAt: string | null;
  storeCount: number;
  /** lastConnectedAt in milliseconds (NaN when never), worked out once when the row is read. */
  lastConnectedMs: number;
}

/** Prepared once: these run on every sync call. */
function prepareStatements(sqlite: Datafile['sqlite']) {
  return {
    // Read again whenever the datafile changed (see findByNameKey), by this process or another.
    siteByNameKey: sqlite.prepare(
      `select id, uuid, code, name, name_key as nameKey, password_hash as passwordHash, hardware_id as hardwareId, type,
              is_central as isCentral, initialisation_status as initialisationStatus, app_name as appName,
              app_version as appVersion, sync_version as syncVersion, last_connected_at as lastConnectedAt,
              (select count(*) from store where store.site_id = site.id) as storeCount
       from site where name_key = ?`,
    ),
    credentialsOf: sqlite.prepare('select password_hash as passwordHash, hardware_id as hardwareId from site where id = ?'),
    bindHardwareId: sqlite.prepare(`update site set hardware_id = ?, version = version + 1, updated_at = ? where id = ? and hardware_id = ''`),
    recordContact: sqlite.prepare(
      `update site set app_name = :appName, app_version = :appVersion, sync_version = :syncVersion, type = :type,
         first_connected_at = coalesce(first_connected_at, :now), last_connected_at = :now, version = version + :bump
       where id = :id`,
    ),
  };
}

/** A deferred record of a sync call (the recordContact statement's parameters). */
interface ContactRecord {
  appName: string;
  appVersion: string;
  syncVersion: number;
  type: 'standalone' | 'mobile';
  now: string;
  bump: number;
  id: number;
}

/** How long bookkeeping of sync calls waits to be written with others. */
const contactFlushMs = 500;

/** What a verified credential is bound to: the site as its row says now. */
function credentialState(row: SiteRow): SiteCredentialState {
  return { siteId: row.id, nameKey: row.nameKey, storedHash: row.passwordHash, hardwareId: row.hardwareId };
}

/** SQLite could not write (disk full, read-only file or folder, I/O error, locked for too long). */
function isWriteFailure(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^SQLITE_(FULL|READONLY|IOERR|BUSY|CANTOPEN)/.test(code);
}

export class SiteAuthenticator {
  readonly credentials: VerifiedCredentials;
  readonly limiter: SignInLimiter;
  /** Whether the datafile changed since a value was read: shared with the server's other per-call caches. */
  readonly changes: DatafileChanges;
  private readonly recordIntervalMs: number;
  private readonly forgetSite = (siteId: number) => this.credentials.forget(siteId);

  constructor(
    private readonly datafile: Datafile,
    hasher: PasswordHasher,
    private readonly sites: SiteService,
    options: SiteAuthenticatorOptions = {},
    limiter?: SignInLimiter,
  ) {
    this.statements = prepareStatements(datafile.sqlite);
    this.changes = new DatafileChanges(datafile.sqlite);
    this.credentials = new VerifiedCredentials(hasher, { key: options.credentialKey, datafile });
    this.limiter = limiter ?? new SignInLimiter({ expectedCheckMs: hasher.expectedCheckMs });
    if (options.signInLimits) this.limiter.reconfigure(options.signInLimits);
    this.recordIntervalMs = options.connectionRecordIntervalMs ?? 10_000;
    sites.events.on('credentialsChanged', this.forgetSite);
  }

  close(): void {
    this.sites.events.off('credentialsChanged', this.forgetSite);
    this.flushContacts();
  }

  private readonly pendingContacts = new Map<number, ContactRecord>();
  private contactTimer: NodeJS.Timeout | null = null;
  private contactLog: AuthLog | null = null;

  private deferContact(siteId: number, record: ContactRecord, log: AuthLog): void {
    this.pendingContacts.set(siteId, record);
    this.contactLog = log;
    this.contactTimer ??= setTimeout(() => this.flushContacts(), contactFlushMs);
    this.contactTimer.unref?.();
  }

  /** Writes the deferred contact records in one transaction. A write failure is logged, never thrown. */
  flushContacts(): void {
    if (this.contactTimer) clearTimeout(this.contactTimer);
    this.contactTimer = null;
    if (this.pendingContacts.size === 0 || !this.sqlite.open) return;
    const records = [...this.pendingContacts.values()];
    this.pendingContacts.clear();
    try {
      this.sqlite
        .transaction(() => {
          for (const record of records) this.statements.recordContact.run(record);
        })
        .immediate();
    } catch (error) {
      this.contactLog?.warn(
        { sites: records.length, code: (error as { code?: string }).code },
        'Could not record sync calls in the datafile (disk full or read-only?); they were answered',
      );
    }
  }

  private get sqlite() {
    return this.datafile.sqlite;
  }

  private readonly statements: ReturnType<typeof prepareStatements>;

  /**
   * Sites' rows as last read, by name key, while the datafile has not changed since: a busy site's
   * calls read no row. Any committed change (a password, a hardware ID reset, a rename, a store
   * moved, the active site; here or by another process) gives a new generation and empties them, so
   * the next call reads the row again. Only rows that exist are kept: at most one per site.
   */
  private readonly rows = new Map<string, SiteRow>();
  private rowsGeneration = -1;

  /** The site's row as of `generation`, which the caller has just read (this.changes.generation()). */
  private findByNameKey(key: string, generation: number): SiteRow | undefined {
    if (generation !== this.rowsGeneration) {
      this.rows.clear();
      this.rowsGeneration = generation;
    }
    let row = this.rows.get(key);
    if (row === undefined) {
      row = this.statements.siteByNameKey.get(key) as SiteRow | undefined;
      if (row !== undefined) {
        row.lastConnectedMs = row.lastConnectedAt ? Date.parse(row.lastConnectedAt) : Number.NaN;
        this.rows.set(key, Object.freeze(row));
      }
    }
    return row;
  }

  async authenticate(headers: IncomingHttpHeaders, address: string, log: AuthLog): Promise<AuthenticatedSite> {
    return this.authenticateNow(headers, address, log, this.changes.generation());
  }

  /**
   * As authenticate(), but the usual call (a bound device whose password was already verified) is
   * answered synchronously, with no promise: the central's busiest route (GET site) uses it.
   * `generation` must have been read from `this.changes` in the same synchronous step.
   */
  authenticateNow(headers: IncomingHttpHeaders, address: string, log: AuthLog, generation: number): AuthenticatedSite | Promise<AuthenticatedSite> {
    const caller = readSyncCaller(headers);
    const key = nameKey(caller.siteName);
    const passwordLooksRight = /^[0-9a-fA-F]{64}$/.test(caller.passwordSha256);
    const row = this.findByNameKey(key, generation);
    // The site's bound device has a lane of its own that no one else's failures can lock.
    const fromBoundDevice = row !== undefined && row.hardwareId !== '' && row.hardwareId === caller.hardwareId;

    // A password already verified for this device needs no check: answered without awaiting, so from
    // reading the site row to recording the call nothing else can run (the row cannot change).
    if (fromBoundDevice && passwordLooksRight && this.credentials.isVerified(credentialState(row), caller.passwordSha256)) {
      return this.afterPasswordCheck(row, caller, true, generation, log);
    }
    return this.signIn(caller, key, row, fromBoundDevice, passwordLooksRight, address, log);
  }

  /** Any other call: counted by the sign-in limiter, and checked with scrypt unless already verified. */
  private async signIn(
    caller: SyncCaller,
    key: string,
    row: SiteRow | undefined,
    fromBoundDevice: boolean,
    passwordLooksRight: boolean,
    address: string,
    log: AuthLog,
  ): Promise<AuthenticatedSite> {
    const attempt = await this.limiter.begin({
      name: key,
      address,
      device: fromBoundDevice ? caller.hardwareId : undefined,
      // A bound site: guesses from other devices can never get in, so all of them together may lock.
      lockEverywhere: row !== undefined && row.hardwareId !== '' && !fromBoundDevice,
    });
    if (attempt.refused && attempt.reason === 'overloaded') {
      // Not the caller's fault and not counted: the queue of slow checks is full. 503 + Retry-After,
      // which a remote site honours (main/net/request-with-retry.ts).
      const seconds = Math.ceil(attempt.retryAfterMs / 1000);
      throw new SyncApiError('sign_in_queue_full', undefined, { retryAfterSeconds: seconds }, { 'retry-after': String(seconds) });
    }
    if (attempt.refused) {
      log.warn({ siteName: caller.siteName, address }, 'Sync sign-in refused: too many failed attempts');
      const seconds = Math.ceil(attempt.retryAfterMs / 1000);
      throw new SyncApiError(
        'too_many_attempts',
        attempt.reason === 'busy'
          ? `This site's device is already signing in. ${retryInWords(attempt.retryAfterMs)}`
          : `Too many failed sign-in attempts for this site from this address. ${retryInWords(attempt.retryAfterMs)}`,
        { retryAfterSeconds: seconds },
        { 'retry-after': String(seconds) },
      );
    }

    let settled = false;
    const fail = (error: SyncApiError): never => {
      settled = true;
      const { locked } = attempt.failed();
      if (locked) {
        log.warn(
          { siteName: caller.siteName, address, lockedBy: locked === 'name' ? 'site name' : 'address' },
          'Sync sign-in locked after too many failed attempts',
        );
      }
      throw error;
    };
    try {
      // Read again: the attempt may have waited for its turn, and the site may have changed meanwhile.
      const rowGeneration = this.changes.generation();
      row = this.findByNameKey(key, rowGeneration);
      if (!row) fail(new SyncApiError('site_name_not_found', `Site name not found: there is no site called "${caller.siteName}".`));
      const site = row!;
      const state = credentialState(site);
      const generation = this.credentials.generation(site.id);
      const cached = passwordLooksRight && this.credentials.isVerified(state, caller.passwordSha256);
      const ok = cached || (passwordLooksRight && (await this.credentials.verify(state, caller.passwordSha256)));
      if (!ok) fail(new SyncApiError('site_incorrect_password'));
      // The right password from another device is still a refused sign-in: it counts on that lane.
      if (site.hardwareId !== '' && site.hardwareId !== caller.hardwareId && site.isCentral !== 1) {
        fail(new SyncApiError('site_incorrect_hardware_id'));
      }
      settled = true;
      attempt.succeeded();
      const authenticated = this.afterPasswordCheck(site, caller, cached, rowGeneration, log);
      // Signed in, and the site is now bound to this device: the next call (and, with a key, the
      // first after a restart) needs no scrypt.
      this.credentials.remember({ ...state, storedHash: site.passwordHash!, hardwareId: caller.hardwareId }, caller.passwordSha256, generation);
      return authenticated;
    } finally {
      if (!settled) attempt.abandon();
    }
  }

  /** The password was right: the site's own state decides the rest. */
  private afterPasswordCheck(row: SiteRow, caller: SyncCaller, rowIsCurrent: boolean, generation: number, log: AuthLog): AuthenticatedSite {
    if (row.isCentral === 1) throw new SyncApiError('site_is_central');
    if (row.hardwareId !== '' && row.hardwareId !== caller.hardwareId) {
      throw new SyncApiError('site_incorrect_hardware_id');
    }
    const stores = row.storeCount;
    if (stores === 0) throw new SyncApiError('site_has_no_store');
    if (caller.isMobile && stores > 1) {
      throw new SyncApiError(
        'mobile_site_has_multiple_stores',
        `A mobile site can have only one store, and "${row.name}" has ${stores}. An administrator must remove the extra stores on the central server.`,
        { storeCount: stores },
      );
    }
    return this.recordContact(row, caller, rowIsCurrent, generation, log);
  }

  /**
   * Binds the hardware ID if the site has none, then records the call. The bind is one conditional
   * UPDATE inside an immediate transaction, so of two devices racing to be first exactly one wins,
   * even when they reach different server processes on the same datafile.
   */
  private recordContact(row: SiteRow, caller: SyncCaller, rowIsCurrent: boolean, generation: number, log: AuthLog): AuthenticatedSite {
    const now = Date.now();
    const type = caller.isMobile ? 'mobile' : 'standalone';
    const typeChanged = row.type !== type;
    const detailsChanged = row.appName !== caller.appName || row.appVersion !== caller.appVersion || row.syncVersion !== caller.syncVersion;
    const stale = !(now - row.lastConnectedMs < this.recordIntervalMs);
    const authenticated: AuthenticatedSite = {
      id: row.id,
      uuid: row.uuid,
      code: row.code,
      name: row.name,
      type,
      initialisationStatus: row.initialisationStatus,
      hardwareId: caller.hardwareId,
      caller,
      generation,
    };
    // The usual call of a busy site: already bound to this device, nothing new to record. No write.
    if (rowIsCurrent && row.hardwareId === caller.hardwareId && !typeChanged && !detailsChanged && !stale) {
      return authenticated;
    }
    const nowText = new Date(now).toISOString();
    // Only bookkeeping (contact time, app details) of a site already bound to this device: written
    // with others in one transaction shortly after, not one disk sync per call. After a restart every
    // site's first call is such a call, thousands of them within minutes.
    if (rowIsCurrent && row.hardwareId === caller.hardwareId && !typeChanged && this.recordIntervalMs > 0) {
      this.deferContact(
        row.id,
        {
          appName: caller.appName,
          appVersion: caller.appVersion,
          syncVersion: caller.syncVersion,
          type,
          now: nowText,
          bump: 0,
          id: row.id,
        },
        log,
      );
      return authenticated;
    }

    let changedForLists = false;
    const record = this.sqlite.transaction((): AuthenticatedSite => {
      // Re-read inside the write lock: the password check awaited scrypt, and an administrator (or
      // another process) may have changed the password or reset the hardware ID meanwhile.
      const current = this.statements.credentialsOf.get(row.id) as { passwordHash: string | null; hardwareId: string } | undefined;
      if (!current) throw new SyncApiError('site_name_not_found');
      if (current.passwordHash !== row.passwordHash) throw new SyncApiError('site_incorrect_password');

      let bound = false;
      if (current.hardwareId === '') {
        // version + 1: an administrator's open draft of this site is now stale (it is in active use).
        const result = this.statements.bindHardwareId.run(caller.hardwareId, nowText, row.id);
        if (result.changes !== 1) throw new SyncApiError('site_incorrect_hardware_id');
        bound = true;
      } else if (current.hardwareId !== caller.hardwareId) {
        throw new SyncApiError('site_incorrect_hardware_id');
      }

      if (typeChanged || detailsChanged || stale || bound) {
        this.statements.recordContact.run({
          appName: caller.appName,
          appVersion: caller.appVersion,
          syncVersion: caller.syncVersion,
          type,
          now: nowText,
          bump: typeChanged ? 1 : 0,
          id: row.id,
        });
      }
      changedForLists = typeChanged || bound;
      return authenticated;
    });
    let site: AuthenticatedSite;
    try {
      site = record.immediate();
    } catch (error) {
      if (error instanceof SyncApiError || !isWriteFailure(error)) throw error;
      // Recording the call is bookkeeping: a full or read-only disk must not shut out a site that is
      // already bound to this device with this password. Binding a device does need the write.
      const current = this.statements.credentialsOf.get(row.id) as { passwordHash: string | null; hardwareId: string } | undefined;
      if (!current || current.passwordHash !== row.passwordHash || current.hardwareId !== caller.hardwareId) throw error;
      log.warn(
        { siteName: row.name, code: (error as { code?: string }).code },
        'Could not record the sync call in the datafile (disk full or read-only?); answered anyway',
      );
      return authenticated;
    }
    // After commit, so a window that refreshes on this event reads the new hardware ID and type.
    if (changedForLists) this.sites.events.emit('sitesChanged', [row.id]);
    return site;
  }
}
