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
import { type SignInLimitOptions, SignInLimiter } from '../../net/sign-in-limiter';
import { readSyncCaller, type SyncCaller } from './sync-headers';
import { VerifiedCredentials } from './verified-credentials';

export interface AuthenticatedSite {
  id: number;
  uuid: string;
  code: string;
  name: string;
  type: 'standalone' | 'mobile';
  initialisationStatus: 'new' | 'started' | 'completed' | 'error';
  hardwareId: string;
  caller: SyncCaller;
}

/** Where security events go: site name and address only, never a password or hash. */
export interface AuthLog {
  warn(details: Record<string, unknown>, message: string): void;
}

export interface SiteAuthenticatorOptions {
  signInLimits?: Partial<SignInLimitOptions>;
  /**
   * last_connected_at is rewritten at most this often per site (when nothing else changed), so a
   * busy site does not cost a disk sync on every call. 0 records every call.
   */
  connectionRecordIntervalMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

interface SiteRow {
  id: number;
  uuid: string;
  code: string;
  name: string;
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
}

/** Prepared once: these run on every sync call. */
function prepareStatements(sqlite: Datafile['sqlite']) {
  return {
    // One indexed read per call: it also notices password or hardware ID changes made by another process.
    siteByNameKey: sqlite.prepare(
      `select id, uuid, code, name, password_hash as passwordHash, hardware_id as hardwareId, type,
              is_central as isCentral, initialisation_status as initialisationStatus, app_name as appName,
              app_version as appVersion, sync_version as syncVersion, last_connected_at as lastConnectedAt,
              (select count(*) from store where store.site_id = site.id) as storeCount
       from site where name_key = ?`,
    ),
    credentialsOf: sqlite.prepare('select password_hash as passwordHash, hardware_id as hardwareId from site where id = ?'),
    bindHardwareId: sqlite.prepare(
      `update site set hardware_id = ?, version = version + 1, updated_at = ? where id = ? and hardware_id = ''`,
    ),
    recordContact: sqlite.prepare(
      `update site set app_name = :appName, app_version = :appVersion, sync_version = :syncVersion, type = :type,
         first_connected_at = coalesce(first_connected_at, :now), last_connected_at = :now, version = version + :bump
       where id = :id`,
    ),
  };
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class SiteAuthenticator {
  readonly credentials: VerifiedCredentials;
  readonly limiter: SignInLimiter;
  private readonly recordIntervalMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly forgetSite = (siteId: number) => this.credentials.forget(siteId);

  constructor(
    private readonly datafile: Datafile,
    hasher: PasswordHasher,
    private readonly sites: SiteService,
    options: SiteAuthenticatorOptions = {},
  ) {
    this.statements = prepareStatements(datafile.sqlite);
    this.credentials = new VerifiedCredentials(hasher);
    this.limiter = new SignInLimiter(options.signInLimits);
    this.recordIntervalMs = options.connectionRecordIntervalMs ?? 10_000;
    this.sleep = options.sleep ?? sleepFor;
    sites.events.on('credentialsChanged', this.forgetSite);
  }

  close(): void {
    this.sites.events.off('credentialsChanged', this.forgetSite);
  }

  private get sqlite() {
    return this.datafile.sqlite;
  }

  private readonly statements: ReturnType<typeof prepareStatements>;

  private findByNameKey(key: string): SiteRow | undefined {
    return this.statements.siteByNameKey.get(key) as SiteRow | undefined;
  }


  async authenticate(headers: IncomingHttpHeaders, address: string, log: AuthLog): Promise<AuthenticatedSite> {
    const caller = readSyncCaller(headers);
    const key = nameKey(caller.siteName);

    const gate = this.limiter.gate(key, address);
    if (gate.refused) {
      log.warn({ siteName: caller.siteName, address }, 'Sync sign-in refused: too many failed attempts');
      const seconds = Math.ceil(gate.retryAfterMs / 1000);
      throw new SyncApiError(
        'too_many_attempts',
        `Too many failed sign-in attempts for this site or from this address. Try again in ${Math.ceil(seconds / 60)} minute(s).`,
        { retryAfterSeconds: seconds },
        { 'retry-after': String(seconds) },
      );
    }
    if (gate.delayMs > 0) await this.sleep(gate.delayMs);

    const row = this.findByNameKey(key);
    const passwordLooksRight = /^[0-9a-fA-F]{64}$/.test(caller.passwordSha256);
    if (!row) {
      this.failed(key, caller.siteName, address, log);
      throw new SyncApiError('site_name_not_found', `Site name not found: there is no site called "${caller.siteName}".`);
    }
    // A cached verification is answered without awaiting, so from reading the site row to recording
    // the call nothing else can run: the row cannot change under this call.
    const cached = passwordLooksRight && this.credentials.isVerified(row.id, row.passwordHash, caller.passwordSha256);
    const ok = cached || (passwordLooksRight && (await this.credentials.verify(row.id, row.passwordHash, caller.passwordSha256)));
    if (!ok) {
      this.failed(key, caller.siteName, address, log);
      throw new SyncApiError('site_incorrect_password');
    }
    this.limiter.succeeded(key);

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

    return this.recordContact(row, caller, cached);
  }

  private failed(key: string, siteName: string, address: string, log: AuthLog): void {
    const locked = this.limiter.failed(key, address);
    if (locked.nameLocked || locked.addressLocked) {
      log.warn(
        { siteName, address, lockedBy: locked.nameLocked ? 'site name' : 'address' },
        'Sync sign-in locked after too many failed attempts',
      );
    }
  }

  /**
   * Binds the hardware ID if the site has none, then records the call. The bind is one conditional
   * UPDATE inside an immediate transaction, so of two devices racing to be first exactly one wins,
   * even when they reach different server processes on the same datafile.
   */
  private recordContact(row: SiteRow, caller: SyncCaller, rowIsCurrent: boolean): AuthenticatedSite {
    const now = new Date();
    const nowText = now.toISOString();
    const type = caller.isMobile ? 'mobile' : 'standalone';
    const typeChanged = row.type !== type;
    const detailsChanged =
      row.appName !== caller.appName || row.appVersion !== caller.appVersion || row.syncVersion !== caller.syncVersion;
    const last = row.lastConnectedAt ? Date.parse(row.lastConnectedAt) : Number.NaN;
    const stale = !(now.getTime() - last < this.recordIntervalMs);
    const authenticated: AuthenticatedSite = {
      id: row.id,
      uuid: row.uuid,
      code: row.code,
      name: row.name,
      type,
      initialisationStatus: row.initialisationStatus,
      hardwareId: caller.hardwareId,
      caller,
    };
    // The usual call of a busy site: already bound to this device, nothing new to record. No write.
    if (rowIsCurrent && row.hardwareId === caller.hardwareId && !typeChanged && !detailsChanged && !stale) {
      return authenticated;
    }

    let changedForLists = false;
    const site = this.sqlite
      .transaction((): AuthenticatedSite => {
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
      })
      .immediate();
    // After commit, so a window that refreshes on this event reads the new hardware ID and type.
    if (changedForLists) this.sites.events.emit('sitesChanged', [row.id]);
    return site;
  }
}
