/**
 * The rules of the Synchronisation window (msupply-sync-sites.md), enforced here and nowhere else:
 * every transport calls these methods, so a rule cannot be skipped by using another window or API.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type {
  Confirmation,
  ConfirmationKind,
  ConfirmableResult,
  ParsedInputs,
  SaveSiteResult,
  SiteDetails,
  SiteRow,
  StoreRow,
} from '../../shared/contract';
import { AppFailure } from '../../shared/errors';
import { nameKey, nameProblem, normaliseName, searchProblem } from '../../shared/names';
import type { Datafile } from '../../db/datafile';
import type { site } from '../../db/schema';
import { getSetting, setSetting } from '../../db/settings';
import { type Actor, requireEditSyncSettings } from './actor';
import type { PasswordHasher } from './passwords';
import { cancelQueuedStoreData, queueStoreData } from './store-records';
import { activeSiteId, centralSiteId, centralSiteName, isCentralServerDatafile, firstSyncSiteName, isRemoteSiteDatafile } from './datafile-role';
import { SiteListCache } from './site-list';
import { requireOneStoreForMobile } from './site-rules';

type SiteRecord = typeof site.$inferSelect;

/** Every column of a site row, named as SiteRecord names them (raw SQL throughout this module). */
const siteColumns = `id, uuid, code, name, name_key as nameKey, password_hash as passwordHash, hardware_id as hardwareId, type,
  use_js_node_http_client as useJsNodeHttpClient, is_central as isCentral, app_name as appName, app_version as appVersion,
  sync_version as syncVersion, first_connected_at as firstConnectedAt, last_connected_at as lastConnectedAt,
  last_synced_at as lastSyncedAt, initialisation_status as initialisationStatus, version, created_at as createdAt,
  updated_at as updatedAt`;

type SiteColumns = Omit<SiteRecord, 'useJsNodeHttpClient' | 'isCentral'> & { useJsNodeHttpClient: number; isCentral: number };

function toSiteRecord(row: SiteColumns): SiteRecord {
  return { ...row, useJsNodeHttpClient: row.useJsNodeHttpClient === 1, isCentral: row.isCentral === 1 };
}

export interface SiteServiceEvents {
  /** A site's name, password or hardware ID changed, or it was deleted: cached credentials are stale. */
  credentialsChanged: [siteId: number];
  /** Anything about sites or stores changed (for windows that refresh). */
  sitesChanged: [siteIds: number[]];
}

function isInActiveUse(record: Pick<SiteRecord, 'hardwareId' | 'lastConnectedAt' | 'lastSyncedAt'>): boolean {
  return record.hardwareId !== '' || record.lastConnectedAt !== null || record.lastSyncedAt !== null;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function uniqueIds(ids: readonly number[]): number[] {
  return [...new Set(ids)];
}

export class SiteService {
  readonly events = new EventEmitter<SiteServiceEvents>();
  private readonly siteList: SiteListCache;

  constructor(
    private readonly datafile: Datafile,
    private readonly hasher: PasswordHasher,
  ) {
    this.siteList = new SiteListCache(datafile.sqlite);
  }

  private get sqlite() {
    return this.datafile.sqlite;
  }

  // ---- reading -------------------------------------------------------------------------------

  activeSiteId(): number {
    return activeSiteId(this.sqlite);
  }

  /**
   * The ownership rule for sites and stores (README, "Who owns what"): the central server owns
   * them. On a remote site's datafile every change is refused, whatever window or transport asks.
   */
  private requireSitesEditableHere(): void {
    if (!isRemoteSiteDatafile(this.sqlite)) return;
    // Half-way through a first sync cut short, the active site is still the central server site.
    const becoming = firstSyncSiteName(this.sqlite);
    const here =
      becoming !== undefined
        ? `This datafile is becoming the remote site "${becoming}" (its first sync has not finished)`
        : `This datafile is the remote site "${this.findSite(activeSiteId(this.sqlite))?.name ?? 'this site'}"`;
    throw new AppFailure(
      'sites_edited_on_central',
      `${here}: sites and their stores are edited on the central server, "${centralSiteName(this.sqlite)}", and arrive here when this site syncs.`,
    );
  }

  /** True when this datafile is the central server: its active site is the central server site. */
  isCentralServer(): boolean {
    return isCentralServerDatafile(this.sqlite);
  }

  private findSite(siteId: number): SiteRecord | undefined {
    const row = this.sqlite.prepare(`select ${siteColumns} from site where id = ?`).get(siteId) as SiteColumns | undefined;
    return row && toSiteRecord(row);
  }

  private requireSite(siteId: number): SiteRecord {
    const record = this.findSite(siteId);
    if (!record) throw new AppFailure('site_not_found', `There is no site with site ID ${siteId}.`);
    return record;
  }

  listSites(input: ParsedInputs['listSites']): { rows: SiteRow[]; total: number } {
    return this.siteList.list({ search: input.search, sort: input.sort, centralFirst: this.isCentralServer() });
  }

  private storesOfSite(siteId: number): StoreRow[] {
    return (
      this.sqlite
        .prepare(
          `select store.id as storeId, store.code, store.name, store.site_id as siteId, site.name as siteName
           from store join site on site.id = store.site_id where store.site_id = ? order by store.name collate nocase, store.id`,
        )
        .all(siteId) as StoreRow[]
    ).map((row) => ({ ...row }));
  }

  private details(record: SiteRecord): SiteDetails {
    return {
      siteId: record.id,
      isNew: false,
      version: record.version,
      code: record.code,
      name: record.name,
      hasPassword: record.passwordHash !== null,
      hardwareId: record.hardwareId,
      type: record.type,
      useJsNodeHttpClient: record.useJsNodeHttpClient,
      isCentral: record.isCentral,
      isActiveOnThisDatafile: record.id === this.activeSiteId(),
      inActiveUse: isInActiveUse(record),
      lastConnectedAt: record.lastConnectedAt,
      appName: record.appName,
      appVersion: record.appVersion,
      stores: this.storesOfSite(record.id),
    };
  }

  getSite(input: ParsedInputs['getSite']): SiteDetails {
    return this.details(this.requireSite(input.siteId));
  }

  /** A blank draft for the New button. Its site ID is a proposal; the real one is allocated on OK. */
  newSite(): SiteDetails {
    const nextId = this.nextSiteId();
    return {
      siteId: nextId,
      isNew: true,
      version: 0,
      code: String(nextId),
      name: '',
      hasPassword: false,
      hardwareId: '',
      type: 'standalone',
      useJsNodeHttpClient: false,
      isCentral: false,
      isActiveOnThisDatafile: false,
      inActiveUse: false,
      lastConnectedAt: null,
      appName: null,
      appVersion: null,
      stores: [],
    };
  }

  /** The next site ID: above every site here and every ID ever allocated, so a deleted site's ID never returns. */
  private nextSiteId(): number {
    const highest = getSetting(this.sqlite, 'highest_site_id') ?? 0;
    const row = this.sqlite.prepare('select coalesce(max(id), 0) as id from site').get() as { id: number };
    return Math.max(highest, row.id) + 1;
  }

  listAddableStores(input: ParsedInputs['listAddableStores']): { rows: StoreRow[]; total: number } {
    const search = input.search?.trim() ?? '';
    // A NUL would end the LIKE pattern early in SQLite and match every store.
    const searchRule = searchProblem(search);
    if (searchRule) throw new AppFailure('validation_failed', searchRule);
    const conditions = ['store.id not in (select value from json_each(:draft))'];
    if (search) conditions.push(`(store.code like :pattern escape '\\' or store.name like :pattern escape '\\')`);
    const where = `where ${conditions.join(' and ')}`;
    const params: Record<string, unknown> = { draft: JSON.stringify(input.draftStoreIds) };
    if (search) params.pattern = `%${escapeLike(search)}%`;
    const rows = this.sqlite
      .prepare(
        `select store.id as storeId, store.code, store.name, store.site_id as siteId, site.name as siteName
         from store join site on site.id = store.site_id ${where}
         order by store.code collate nocase, store.id limit :limit`,
      )
      .all({ ...params, limit: input.limit ?? 1000 }) as StoreRow[];
    const total = (this.sqlite.prepare(`select count(*) as n from store ${where}`).get(params) as { n: number }).n;
    return { rows: rows.map((r) => ({ ...r })), total };
  }

  // ---- saving a draft ------------------------------------------------------------------------

  /**
   * OK in the Site details window: applies the whole draft (fields, stores added and removed, store
   * data queued for the site) in one transaction, or nothing at all.
   */
  async saveSite(actor: Actor, input: ParsedInputs['saveSite']): Promise<SaveSiteResult> {
    requireEditSyncSettings(actor);
    this.requireSitesEditableHere();
    const name = normaliseName(input.name);
    if (!name) throw new AppFailure('site_name_required');
    const nameRule = nameProblem('Site name', name);
    if (nameRule) throw new AppFailure('validation_failed', nameRule, { issues: [{ field: 'name', message: nameRule }] });
    const addIds = uniqueIds(input.addStoreIds);
    const removeIds = uniqueIds(input.removeStoreIds);
    const both = addIds.filter((id) => removeIds.includes(id));
    if (both.length > 0) {
      throw new AppFailure('validation_failed', 'A store cannot be both added to and removed from a site in one save.', {
        storeIds: both,
      });
    }
    // Hash before the transaction: scrypt is slow and must not hold the write lock.
    const passwordHash = input.password === undefined ? undefined : await this.hasher.hashSitePassword(input.password);

    const outcome = this.sqlite.transaction(() => this.applyDraft(actor, input, name, addIds, removeIds, passwordHash)).immediate();
    if (outcome.status === 'saved') {
      if (outcome.credentialsChanged) this.events.emit('credentialsChanged', outcome.site.siteId);
      this.events.emit('sitesChanged', outcome.touchedSiteIds);
      return { status: 'saved', site: outcome.site, queuedRecords: outcome.queuedRecords };
    }
    return outcome;
  }

  private applyDraft(
    actor: Actor,
    input: ParsedInputs['saveSite'],
    name: string,
    addIds: number[],
    removeIds: number[],
    passwordHash: string | undefined,
  ):
    | { status: 'saved'; site: SiteDetails; queuedRecords: number; credentialsChanged: boolean; touchedSiteIds: number[] }
    | { status: 'needs_confirmation'; confirmations: Confirmation[] } {
    const existing = input.siteId === null ? undefined : this.requireSite(input.siteId);
    if (existing && input.expectedVersion !== existing.version) throw new AppFailure('site_changed');
    const targetId = existing?.id ?? null;

    const key = nameKey(name);
    const clash = this.sqlite.prepare('select id, name from site where name_key = ? and id is not ?').get(key, targetId) as
      { id: number; name: string } | undefined;
    if (clash) {
      throw new AppFailure('site_name_taken', `Site ID ${clash.id} is already called "${clash.name}". Site names must be unique (ignoring case).`);
    }

    const centralId = centralSiteId(this.sqlite);
    const storesById = this.loadStores([...addIds, ...removeIds]);
    const missing = [...addIds, ...removeIds].filter((id) => !storesById.has(id));
    if (missing.length > 0) {
      throw new AppFailure('store_not_found', `These stores no longer exist: ${missing.join(', ')}.`, { storeIds: missing });
    }
    const moving = addIds.map((id) => storesById.get(id)!).filter((s) => s.siteId !== targetId);
    const removing = removeIds.map((id) => storesById.get(id)!);
    const notHere = removing.filter((s) => s.siteId !== targetId);
    if (notHere.length > 0) {
      throw new AppFailure(
        'site_changed',
        `${notHere.map((s) => s.name).join(', ')} is no longer on this site. Reload the site to see the current stores.`,
      );
    }
    if (existing?.isCentral && removing.length > 0) throw new AppFailure('central_store_removal');
    if (input.type === 'mobile') requireOneStoreForMobile(this.sqlite, targetId, moving.length, removing.length);

    // Confirmations: everything the user must agree to before a risky change is made.
    const needed: Confirmation[] = [];
    const sourceSites = new Map<number, SiteRecord>();
    for (const s of moving) {
      if (!sourceSites.has(s.siteId)) sourceSites.set(s.siteId, this.requireSite(s.siteId));
    }
    const fromActiveRemote = moving.filter((s) => {
      const source = sourceSites.get(s.siteId)!;
      return !source.isCentral && isInActiveUse(source);
    });
    if (fromActiveRemote.length > 0) {
      const list = fromActiveRemote
        .slice(0, 5)
        .map((s) => `${s.name} (on ${sourceSites.get(s.siteId)!.name})`)
        .join(', ');
      const more = fromActiveRemote.length > 5 ? ` and ${fromActiveRemote.length - 5} more` : '';
      needed.push({
        kind: 'move_store_from_active_site',
        message:
          `${list}${more} ${fromActiveRemote.length === 1 ? 'is' : 'are'} on a remote site in active use. ` +
          'Make sure that site stops using the store and syncs before the store is used on this site. Move anyway?',
        data: { stores: list, more: Math.max(0, fromActiveRemote.length - 5), count: fromActiveRemote.length },
      });
    }
    const activeUse = existing !== undefined && isInActiveUse(existing);
    if (activeUse && existing.nameKey !== key) {
      needed.push({
        kind: 'rename_active_site',
        message:
          `"${existing.name}" is in active use. If you change its site name, the remote site will stop syncing ` +
          'until its site name is changed there too (or restored here). Change it anyway?',
        data: { name: existing.name },
      });
    }
    if (activeUse && passwordHash !== undefined) {
      needed.push({
        kind: 'change_password_of_active_site',
        message:
          `"${existing.name}" is in active use. If you change its password, the remote site will stop syncing ` +
          'until the password is changed there too (or restored here). Change it anyway?',
        data: { name: existing.name },
      });
    }
    const unconfirmed = needed.filter((c) => !input.confirmations.includes(c.kind));
    if (unconfirmed.length > 0) return { status: 'needs_confirmation', confirmations: unconfirmed };

    // Writes.
    const now = new Date().toISOString();
    let siteId: number;
    const changes: Record<string, unknown> = {};
    if (!existing) {
      siteId = this.nextSiteId();
      setSetting(this.sqlite, 'highest_site_id', siteId);
      // The proposed default code follows the ID actually allocated (another administrator may have taken it).
      const typed = input.code.trim();
      const leftAtDefault = typed === '' || (input.proposedSiteId != null && typed === String(input.proposedSiteId));
      const code = leftAtDefault ? String(siteId) : typed;
      this.sqlite
        .prepare(
          `insert into site (id, uuid, code, name, name_key, password_hash, type, use_js_node_http_client, created_at, updated_at)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(siteId, randomUUID(), code, name, key, passwordHash ?? null, input.type, input.useJsNodeHttpClient ? 1 : 0, now, now);
      Object.assign(changes, {
        code: { to: code },
        name: { to: name },
        type: { to: input.type },
        useJsNodeHttpClient: { to: input.useJsNodeHttpClient },
      });
      if (passwordHash !== undefined) changes.password = { changed: true };
    } else {
      siteId = existing.id;
      const code = input.code.trim() || String(siteId);
      const fieldChanges: [string, unknown, unknown][] = [
        ['code', existing.code, code],
        ['name', existing.name, name],
        ['type', existing.type, input.type],
        ['useJsNodeHttpClient', existing.useJsNodeHttpClient, input.useJsNodeHttpClient],
      ];
      for (const [field, from, to] of fieldChanges) if (from !== to) changes[field] = { from, to };
      if (passwordHash !== undefined) changes.password = { changed: true };
      this.sqlite
        .prepare(
          `update site set code = :code, name = :name, name_key = :key, type = :type, use_js_node_http_client = :useNode,
             password_hash = coalesce(:passwordHash, password_hash), version = version + 1, updated_at = :now
           where id = :siteId`,
        )
        .run({
          code,
          name,
          key,
          type: input.type,
          useNode: input.useJsNodeHttpClient ? 1 : 0,
          passwordHash: passwordHash ?? null,
          now,
          siteId,
        });
    }

    const touched = new Set<number>([siteId]);
    if (moving.length > 0) {
      this.moveStores(
        moving.map((s) => s.id),
        siteId,
      );
      for (const sourceId of sourceSites.keys()) touched.add(sourceId);
      changes.storesAdded = moving.map((s) => ({ storeId: s.id, code: s.code, from: s.siteId }));
    }
    if (removing.length > 0) {
      this.moveStores(
        removing.map((s) => s.id),
        centralId,
      );
      touched.add(centralId);
      changes.storesRemoved = removing.map((s) => ({ storeId: s.id, code: s.code, to: centralId }));
    }
    // Other sites whose store lists changed get a new version, so a stale draft of theirs is refused.
    const others = [...touched].filter((id) => id !== siteId);
    if (others.length > 0) {
      this.sqlite
        .prepare(`update site set version = version + 1, updated_at = ? where id in (select value from json_each(?))`)
        .run(now, JSON.stringify(others));
    }

    // A store's data belongs to the site the store is on from the moment of the move (README,
    // "Who owns what"): whatever was queued for the site it left is cancelled, and an existing site
    // that gains stores gets each one's data queued as one "send this store's data" entry, in this
    // same transaction. The entry is streamed when it is sent, so the site gets the store as it is then.
    for (const [sourceId, source] of sourceSites) {
      if (!source.isCentral)
        cancelQueuedStoreData(
          this.sqlite,
          sourceId,
          moving.filter((s) => s.siteId === sourceId).map((s) => s.id),
        );
    }
    if (removing.length > 0)
      cancelQueuedStoreData(
        this.sqlite,
        siteId,
        removing.map((s) => s.id),
      );
    let queuedRecords = 0;
    if (existing && !existing.isCentral && moving.length > 0) {
      const storeIds = moving.map((s) => s.id);
      queueStoreData(this.sqlite, siteId, storeIds, now);
      queuedRecords = this.sqlite
        .prepare('select count(*) from store_record where store_id in (select value from json_each(?))')
        .pluck()
        .get(JSON.stringify(storeIds)) as number;
    }

    if (Object.keys(changes).length > 0) {
      this.audit(actor, siteId, existing ? 'update' : 'create', changes, now);
    }
    const credentialsChanged = existing !== undefined && (existing.nameKey !== key || passwordHash !== undefined);
    return {
      status: 'saved',
      site: this.details(this.requireSite(siteId)),
      queuedRecords,
      credentialsChanged,
      touchedSiteIds: [...touched],
    };
  }

  private loadStores(ids: number[]): Map<number, { id: number; code: string; name: string; siteId: number }> {
    if (ids.length === 0) return new Map();
    const rows = this.sqlite
      .prepare('select id, code, name, site_id as siteId from store where id in (select value from json_each(?))')
      .all(JSON.stringify(ids)) as { id: number; code: string; name: string; siteId: number }[];
    return new Map(rows.map((r) => [r.id, r]));
  }

  private moveStores(storeIds: number[], toSiteId: number): void {
    this.sqlite.prepare('update store set site_id = ? where id in (select value from json_each(?))').run(toSiteId, JSON.stringify(storeIds));
  }

  private audit(actor: Actor, siteId: number, action: string, changes: Record<string, unknown>, at: string): void {
    this.sqlite
      .prepare('insert into site_audit (site_id, user_id, user_name, at, action, changes) values (?, ?, ?, ?, ?, ?)')
      .run(siteId, actor.userId, actor.userName, at, action, JSON.stringify(changes));
  }

  // ---- other actions -------------------------------------------------------------------------

  deleteSite(actor: Actor, input: ParsedInputs['deleteSite']): ConfirmableResult<{ siteId: number }> {
    requireEditSyncSettings(actor);
    this.requireSitesEditableHere();
    const outcome = this.sqlite
      .transaction((): ConfirmableResult<{ siteId: number }> => {
        const record = this.requireSite(input.siteId);
        if (record.id === this.activeSiteId()) throw new AppFailure('site_is_active');
        if (record.isCentral) throw new AppFailure('site_is_central');
        const storeCount = (this.sqlite.prepare('select count(*) as n from store where site_id = ?').get(record.id) as { n: number }).n;
        if (storeCount > 0) {
          throw new AppFailure(
            'site_has_stores',
            `"${record.name}" still has ${storeCount} store${storeCount === 1 ? '' : 's'}. ` +
              'Remove its stores first; they will move to the central server site.',
            { storeCount },
          );
        }
        if (!input.confirmed) {
          return {
            status: 'needs_confirmation',
            confirmations: [
              {
                kind: 'delete_site',
                message: `Delete the site "${record.name}" (site ID ${record.id})? This cannot be undone.`,
                data: { name: record.name, siteId: record.id },
              },
            ],
          };
        }
        this.sqlite.prepare('delete from site where id = ?').run(record.id);
        this.audit(actor, record.id, 'delete', { name: { from: record.name }, code: { from: record.code } }, new Date().toISOString());
        return { status: 'done', siteId: record.id };
      })
      .immediate();
    if (outcome.status === 'done') {
      this.events.emit('credentialsChanged', input.siteId);
      this.events.emit('sitesChanged', [input.siteId]);
    }
    return outcome;
  }

  setActiveSite(actor: Actor, input: ParsedInputs['setActiveSite']): ConfirmableResult<{ site: SiteDetails }> {
    requireEditSyncSettings(actor);
    this.requireSitesEditableHere();
    const previous = this.activeSiteId();
    const outcome = this.sqlite
      .transaction((): ConfirmableResult<{ site: SiteDetails }> => {
        const record = this.requireSite(input.siteId);
        if (record.id === this.activeSiteId()) return { status: 'done', site: this.details(record) };
        if (!input.confirmed) {
          const becomes = record.isCentral
            ? 'This datafile will become the central server.'
            : `This datafile will act as the remote site "${record.name}" and sync with the central server as that site.`;
          return {
            status: 'needs_confirmation',
            confirmations: [
              {
                kind: 'set_active_site',
                message: `Set "${record.name}" as the active site on this datafile? ${becomes}`,
                data: { name: record.name, becomesCentral: record.isCentral },
              },
            ],
          };
        }
        setSetting(this.sqlite, 'active_site_id', record.id);
        this.audit(actor, record.id, 'set_active', { activeSite: { from: previous, to: record.id } }, new Date().toISOString());
        return { status: 'done', site: this.details(record) };
      })
      .immediate();
    if (outcome.status === 'done') this.events.emit('sitesChanged', [previous, input.siteId]);
    return outcome;
  }

  resetHardwareId(actor: Actor, input: ParsedInputs['resetHardwareId']): ConfirmableResult<{ site: SiteDetails }> {
    requireEditSyncSettings(actor);
    this.requireSitesEditableHere();
    const outcome = this.sqlite
      .transaction((): ConfirmableResult<{ site: SiteDetails }> => {
        if (!this.isCentralServer()) throw new AppFailure('not_central_server');
        const record = this.requireSite(input.siteId);
        if (record.hardwareId === '') return { status: 'done', site: this.details(record) };
        if (!input.confirmed) {
          return {
            status: 'needs_confirmation',
            confirmations: [
              {
                kind: 'reset_hardware_id',
                message:
                  `Reset the hardware ID of "${record.name}"? The next device that syncs as this site will take it over, ` +
                  'and the site will need to be initialised again.',
                data: { name: record.name },
              },
            ],
          };
        }
        const now = new Date().toISOString();
        this.sqlite
          .prepare(`update site set hardware_id = '', initialisation_status = 'new', version = version + 1, updated_at = ? where id = ?`)
          .run(now, record.id);
        this.audit(actor, record.id, 'reset_hardware_id', { hardwareId: { from: record.hardwareId, to: '' } }, now);
        return { status: 'done', site: this.details(this.requireSite(record.id)) };
      })
      .immediate();
    if (outcome.status === 'done') {
      this.events.emit('credentialsChanged', input.siteId);
      this.events.emit('sitesChanged', [input.siteId]);
    }
    return outcome;
  }
}

export type { ConfirmationKind };
