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

export interface SettingValues {
  active_site_id: number;
  remote_sync: RemoteSyncSettings;
  /** Port of the central server inside the desktop app. */
  central_server_port: number;
}

export type SettingKey = keyof SettingValues;

export function getSetting<K extends SettingKey>(sqlite: Database.Database, key: K): SettingValues[K] | undefined {
  const row = sqlite.prepare('select value from setting where key = ?').get(key) as { value: string } | undefined;
  return row ? (JSON.parse(row.value) as SettingValues[K]) : undefined;
}

export function setSetting<K extends SettingKey>(sqlite: Database.Database, key: K, value: SettingValues[K]): void {
  sqlite
    .prepare('insert into setting (key, value) values (?, ?) on conflict(key) do update set value = excluded.value')
    .run(key, JSON.stringify(value));
}

export function deleteSetting(sqlite: Database.Database, key: SettingKey): void {
  sqlite.prepare('delete from setting where key = ?').run(key);
}
