/** Typed access to the datafile's own settings (the `setting` table, values stored as JSON). */
import type Database from 'better-sqlite3';

export interface RemoteSyncSettings {
  /** Base URL of the central server, e.g. https://central.example.org:2048 */
  centralUrl: string;
  /** This site's name on the central server: the sync user name. */
  siteName: string;
  /** Lowercase hex SHA-256 of the site password; the password itself is never stored. */
  passwordSha256: string;
  /** The central's `id` for this site, remembered on first contact ("Site mismatch" guard). */
  centralSiteUuid?: string;
}

/** A remote site's sync progress: what a restart must not forget. */
export interface RemoteSyncState {
  /** nameKey of the site this state belongs to: pointing the datafile at another site starts afresh. */
  siteKey: string;
  /** Identifies this datafile to the central's run lease (see main/sync/central/site-run-leases.ts). */
  instanceId: string;
  /** When the first complete sync (initialisation) finished; null until then. */
  initialisedAt: string | null;
  /** The highest central_records ID applied. */
  centralCursor: number;
  /** IDs of queued records applied but not yet acknowledged: acknowledged first on the next run. */
  pendingAcks: number[];
  /** With pendingAcks: for each streamed entry among them, the last of its lines applied (protocol.ts, AcknowledgeBody). */
  pendingAppliedUpTo?: { syncOutId: number; recordId: string }[];
  lastSuccessAt: string | null;
  lastAttemptAt: string | null;
  /** The last run's failure, in words; null after a successful run. */
  lastError: string | null;
  /** The kind of the last failure (a SyncErrorCode of shared/contract.ts), for its hint. */
  lastErrorCode?: string | null;
  /** Records the central still had for this site at the last look. */
  waitingIn: number | null;
  /** An administrator asked for Re-initialise: the next run fetches everything again. */
  reinitialise?: boolean;
}

export interface SettingValues {
  active_site_id: number;
  remote_sync: RemoteSyncSettings;
  /** Port of the central server inside the desktop app. */
  central_server_port: number;
  remote_sync_state: RemoteSyncState;
  /** Minutes between automatic syncs of a remote site; 0 pauses them. */
  sync_interval_minutes: number;
  /** The highest site ID ever allocated here: a deleted site's ID is never given to a new site. */
  highest_site_id: number;
  /** The central server: days without a successful sync after which a site is late, and failing. */
  sync_late_after_days: number;
  sync_failing_after_days: number;
}

export type SettingKey = keyof SettingValues;

/**
 * The two statements, prepared once per connection: settings are read and written in hot paths
 * (a sync run reads and writes its state with every batch it applies), and preparing them each
 * time cost more than running them.
 */
const statementsOf = new WeakMap<Database.Database, { get: Database.Statement; set: Database.Statement }>();

function statements(sqlite: Database.Database) {
  let prepared = statementsOf.get(sqlite);
  if (!prepared) {
    prepared = {
      get: sqlite.prepare('select value from setting where key = ?'),
      set: sqlite.prepare('insert into setting (key, value) values (?, ?) on conflict(key) do update set value = excluded.value'),
    };
    statementsOf.set(sqlite, prepared);
  }
  return prepared;
}

export function getSetting<K extends SettingKey>(sqlite: Database.Database, key: K): SettingValues[K] | undefined {
  const row = statements(sqlite).get.get(key) as { value: string } | undefined;
  return row ? (JSON.parse(row.value) as SettingValues[K]) : undefined;
}

export function setSetting<K extends SettingKey>(sqlite: Database.Database, key: K, value: SettingValues[K]): void {
  statements(sqlite).set.run(key, JSON.stringify(value));
}

/** The port a central server listens on unless its datafile or command line says otherwise. */
export const DEFAULT_CENTRAL_PORT = 2048;

/** The central_server_port setting, or the default. */
export function centralServerPort(sqlite: Database.Database): number {
  return getSetting(sqlite, 'central_server_port') ?? DEFAULT_CENTRAL_PORT;
}
