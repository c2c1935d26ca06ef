/**
 * The datafile's tables. Migrations in db/migrations are generated from this file by drizzle-kit
 * (`npm run db:generate`) and committed; they are applied when a datafile is opened.
 */
import { sql } from 'drizzle-orm';
import { check, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`;

export const site = sqliteTable(
  'site',
  {
    /** The Site ID: allocated by the datafile, never typed by a user. */
    id: integer('id').primaryKey(),
    /** Stable identity of the site record, sent to remote sites as `id`. */
    uuid: text('uuid').notNull(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    /** Case-folded name: the sync user name, unique without regard to case. */
    nameKey: text('name_key').notNull(),
    /** scrypt of the lowercase hex SHA-256 of the password; null until one is set. */
    passwordHash: text('password_hash'),
    hardwareId: text('hardware_id').notNull().default(''),
    type: text('type', { enum: ['standalone', 'mobile'] })
      .notNull()
      .default('standalone'),
    useJsNodeHttpClient: integer('use_js_node_http_client', { mode: 'boolean' }).notNull().default(false),
    isCentral: integer('is_central', { mode: 'boolean' }).notNull().default(false),
    appName: text('app_name'),
    appVersion: text('app_version'),
    syncVersion: integer('sync_version'),
    firstConnectedAt: text('first_connected_at'),
    lastConnectedAt: text('last_connected_at'),
    lastSyncedAt: text('last_synced_at'),
    initialisationStatus: text('initialisation_status', { enum: ['new', 'started', 'completed', 'error'] })
      .notNull()
      .default('new'),
    /** Bumped by every change; a save from an older version is refused. */
    version: integer('version').notNull().default(1),
    createdAt: text('created_at').notNull().default(now),
    updatedAt: text('updated_at').notNull().default(now),
  },
  (t) => [
    uniqueIndex('site_uuid_unique').on(t.uuid),
    uniqueIndex('site_name_key_unique').on(t.nameKey),
    uniqueIndex('site_one_central')
      .on(t.isCentral)
      .where(sql`${t.isCentral} = 1`),
    index('site_name_idx').on(t.name),
    check('site_type_check', sql`${t.type} in ('standalone', 'mobile')`),
  ],
);

export const store = sqliteTable(
  'store',
  {
    id: integer('id').primaryKey(),
    uuid: text('uuid').notNull(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    /** Every store is on exactly one site. */
    siteId: integer('site_id')
      .notNull()
      .references(() => site.id, { onDelete: 'restrict' }),
  },
  (t) => [uniqueIndex('store_uuid_unique').on(t.uuid), uniqueIndex('store_code_unique').on(t.code), index('store_site_idx').on(t.siteId)],
);

export const user = sqliteTable(
  'user',
  {
    id: integer('id').primaryKey(),
    name: text('name').notNull(),
    nameKey: text('name_key').notNull(),
    passwordHash: text('password_hash').notNull(),
    /** A disabled user cannot log in, and any session of theirs ends at its next call. */
    disabled: integer('disabled', { mode: 'boolean' }).notNull().default(false),
    createdAt: text('created_at').notNull().default(now),
    /** The language the user chose for the windows (en, fr, es, ...); null: the browser's or system's. */
    language: text('language'),
  },
  (t) => [uniqueIndex('user_name_key_unique').on(t.nameKey)],
);

export const userPermission = sqliteTable(
  'user_permission',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => user.id, { onDelete: 'cascade' }),
    /** For example `edit_sync_settings` (Edit user > Permissions > Admin). */
    permission: text('permission').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.permission] })],
);

/** The datafile's own settings, one row per key, values as JSON. */
export const setting = sqliteTable('setting', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

/**
 * Store-scoped records: the store data that travels with a store (stock lines).
 *
 * Kept by store, then line id: the table is `WITHOUT ROWID` with the primary key (store_id, id)
 * (migration 0013; drizzle cannot say WITHOUT ROWID, so the migration does), and a line's id is
 * unique on its own. A store's lines sit together in id order, the order they are streamed to a
 * site in: a site writes a received batch into one stretch of the table, and the central reads a
 * store's next lines in one stretch. Two B-trees per line instead of three (the table by rowid, the
 * id and the (store, id) index before): a site initialising writes its lines a fifth faster.
 */
export const storeRecord = sqliteTable(
  'store_record',
  {
    id: text('id').notNull(),
    storeId: integer('store_id')
      .notNull()
      .references(() => store.id, { onDelete: 'restrict' }),
    itemCode: text('item_code').notNull(),
    itemName: text('item_name').notNull(),
    quantity: real('quantity').notNull().default(0),
    updatedAt: text('updated_at').notNull().default(now),
    /**
     * Bumped by every change, wherever it is made. A site's pushed change names the version it was
     * made from; when the central's is newer, someone else changed the line since: a conflict.
     */
    version: integer('version').notNull().default(1),
    /** The site where the last change was made (null: before versions were kept). */
    changedBySiteId: integer('changed_by_site_id'),
  },
  // By store and id: a store's lines are streamed to a site in id order (storeDataStreamStatements).
  (t) => [primaryKey({ columns: [t.storeId, t.id] }), uniqueIndex('store_record_id_unique').on(t.id)],
);

/** What each site must receive, in order. A record leaves it only when the site acknowledges it. */
export const syncOut = sqliteTable(
  'sync_out',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    siteId: integer('site_id')
      .notNull()
      .references(() => site.id, { onDelete: 'cascade' }),
    storeId: integer('store_id'),
    tableName: text('table_name').notNull(),
    recordId: text('record_id').notNull(),
    action: text('action', { enum: ['insert', 'update', 'delete', 'merge'] }).notNull(),
    data: text('data'),
    sequence: integer('sequence').notNull(),
    createdAt: text('created_at').notNull().default(now),
    /**
     * A "send this store's data" entry is streamed from store_record in line id order, never copied
     * here: the last line id the site acknowledged (null: not even the entry's "drop what you hold"
     * yet) and the last line id the latest answer handed out (no acknowledgement goes beyond it).
     */
    streamAfterId: text('stream_after_id'),
    streamHandedId: text('stream_handed_id'),
  },
  (t) => [
    index('sync_out_site_sequence_idx').on(t.siteId, t.sequence),
    // Integrating a site's own change of a record drops the central's queued copies of it.
    index('sync_out_site_record_idx').on(t.siteId, t.recordId),
    check('sync_out_action_check', sql`${t.action} in ('insert', 'update', 'delete', 'merge')`),
  ],
);

/** Who changed which site, when, and which fields. Password values never appear here. */
export const siteAudit = sqliteTable(
  'site_audit',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    siteId: integer('site_id').notNull(),
    userId: integer('user_id'),
    userName: text('user_name').notNull(),
    at: text('at').notNull().default(now),
    action: text('action').notNull(),
    /** JSON: { field: { from, to } }, with `password: { changed: true }` only. */
    changes: text('changes').notNull(),
  },
  (t) => [index('site_audit_site_idx').on(t.siteId)],
);

/** Who changed which user, when, and which fields (Users window, command line). Never a password. */
export const userAudit = sqliteTable(
  'user_audit',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** The user changed. */
    targetUserId: integer('target_user_id').notNull(),
    /** Who changed it: null for the machine's owner at the command line. */
    userId: integer('user_id'),
    userName: text('user_name').notNull(),
    at: text('at').notNull().default(now),
    action: text('action').notNull(),
    /** JSON: { field: { from, to } }, with `password: { changed: true }` only. */
    changes: text('changes').notNull(),
  },
  (t) => [index('user_audit_target_idx').on(t.targetUserId)],
);

/**
 * The central change log: every change to a site or store, in commit order, written by SQLite
 * triggers (the central_change_triggers migration) in the same transaction as the change. Remote sites read it through
 * `central_records` with the ID as their cursor. Secrets (password hash, hardware ID) never enter it.
 */
export const centralChange = sqliteTable('central_change', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  tableName: text('table_name').notNull(),
  recordId: text('record_id').notNull(),
  action: text('action', { enum: ['insert', 'update', 'delete'] }).notNull(),
  /** JSON of the row after the change; null for a delete. */
  data: text('data'),
  createdAt: text('created_at').notNull().default(now),
});

/**
 * A remote site's outgoing store-data changes, oldest first. The ID is the `syncOutId` it is pushed
 * with, so a batch sent twice carries the same IDs. A row refused by the central (its store is no
 * longer on this site) is kept with the reason, for an administrator to resolve, and not pushed again.
 */
export const remoteOut = sqliteTable(
  'remote_out',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    storeId: integer('store_id').notNull(),
    tableName: text('table_name').notNull(),
    recordId: text('record_id').notNull(),
    action: text('action', { enum: ['insert', 'update', 'delete'] }).notNull(),
    data: text('data'),
    /** The line's version this change was made from (what the central must still have); null for a new line. */
    baseVersion: integer('base_version'),
    /** With baseVersion: the site that made that version (versions made apart can share a number). */
    baseChangedBy: integer('base_changed_by'),
    /** When it was first sent: from then on it may have reached the central even if no answer came back. */
    sentAt: text('sent_at'),
    refusedAt: text('refused_at'),
    refusedMessage: text('refused_message'),
    /** Why: store_not_active_on_site, conflict, invalid_record, unknown_table. */
    refusedCode: text('refused_code'),
    /** For a change the central refused after accepting it (at integration): the ID it was pushed with. */
    pushedAs: integer('pushed_as'),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [
    index('remote_out_record_idx').on(t.recordId),
    index('remote_out_refused_idx').on(t.refusedAt, t.id),
    uniqueIndex('remote_out_pushed_as_unique').on(t.pushedAs),
  ],
);

/**
 * The central's buffer of records a site has pushed and not yet integrated. Keyed by the remote's
 * syncOutId, so a re-sent batch adds nothing; integrated rows leave it, refused ones stay with the reason.
 */
export const syncIn = sqliteTable(
  'sync_in',
  {
    siteId: integer('site_id')
      .notNull()
      .references(() => site.id, { onDelete: 'cascade' }),
    syncOutId: integer('sync_out_id').notNull(),
    tableName: text('table_name').notNull(),
    recordId: text('record_id').notNull(),
    action: text('action').notNull(),
    data: text('data'),
    refusedMessage: text('refused_message'),
    receivedAt: text('received_at').notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.syncOutId] })],
);

/** Per site on the central: the highest pushed syncOutId integrated, so a late re-send is not integrated twice. */
export const sitePushState = sqliteTable('site_push_state', {
  siteId: integer('site_id')
    .primaryKey()
    .references(() => site.id, { onDelete: 'cascade' }),
  integratedUpTo: integer('integrated_up_to').notNull().default(0),
  /** The remote datafile (its instance ID) that last initialised the site: only it may repeat an unfinished initialise. */
  instanceId: text('instance_id'),
});

/**
 * Per site on the central: a fingerprint of each record of the site's last integration. A pushed
 * record numbered at or below the site's high-water mark is a re-send only when it is one of these,
 * unchanged; anything else means the site's change numbers went backwards (a restored backup, or a
 * copy of the datafile syncing as the same site), and the push is refused instead of dropped.
 */
export const sitePushSeen = sqliteTable(
  'site_push_seen',
  {
    siteId: integer('site_id')
      .notNull()
      .references(() => site.id, { onDelete: 'cascade' }),
    syncOutId: integer('sync_out_id').notNull(),
    fingerprint: text('fingerprint').notNull(),
    /** JSON of the refusal, when the record was refused on arrival: a re-send gets the same answer. */
    refusal: text('refusal'),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.syncOutId] })],
);

/**
 * A remote site's sync log: one row per run (Sync now, the scheduler, Re-initialise), written when
 * it starts and completed when it ends, so a run cut short by a crash still shows (as interrupted).
 * Kept for a bounded time and number of runs (main/sync/remote/sync-log.ts).
 */
export const syncLog = sqliteTable(
  'sync_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    startedAt: text('started_at').notNull(),
    endedAt: text('ended_at'),
    /** running (or interrupted, when no program is running it any more), success, failed. */
    outcome: text('outcome', { enum: ['running', 'success', 'failed'] })
      .notNull()
      .default('running'),
    pushed: integer('pushed').notNull().default(0),
    pulled: integer('pulled').notNull().default(0),
    /** The failure in words, and its kind (for the hint of what to do). */
    error: text('error'),
    errorCode: text('error_code'),
  },
  (t) => [index('sync_log_started_idx').on(t.startedAt)],
);

/**
 * Per site on the central: a keyed MAC (HMAC-SHA256) saying "this password digest was verified
 * against this stored hash, for this bound device", so a restart does not cost every site a scrypt
 * check again. The key is never in the datafile (a key file on the server, the app's userData on the
 * desktop): without it a tag tells nothing about the password. A changed password or hardware ID
 * changes the MAC's input, so an old tag no longer matches. See main/sync/central/verified-credentials.ts.
 */
export const siteVerifiedCredential = sqliteTable('site_verified_credential', {
  siteId: integer('site_id')
    .primaryKey()
    .references(() => site.id, { onDelete: 'cascade' }),
  tag: text('tag').notNull(),
});
