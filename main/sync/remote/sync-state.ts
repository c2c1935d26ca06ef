/**
 * A remote site's sync progress as the datafile keeps it (the remote_sync_state setting): what a
 * restart must not forget. It belongs to one site name: pointing the datafile at another site
 * starts afresh.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { getSetting, type RemoteSyncSettings, type RemoteSyncState, setSetting } from '../../../db/settings';
import { nameKey } from '../../../shared/names';

export class SyncStateStore {
  constructor(private readonly sqlite: Database.Database) {}

  /** The saved state, or a fresh one when the datafile was pointed at another site. */
  read(settings: RemoteSyncSettings): RemoteSyncState {
    const saved = getSetting(this.sqlite, 'remote_sync_state');
    if (saved && saved.siteKey === nameKey(settings.siteName)) return saved;
    return {
      siteKey: nameKey(settings.siteName),
      instanceId: randomUUID(),
      initialisedAt: null,
      centralCursor: 0,
      pendingAcks: [],
      lastSuccessAt: null,
      lastAttemptAt: null,
      lastError: null,
      waitingIn: null,
    };
  }

  update(settings: RemoteSyncSettings, change: Partial<RemoteSyncState>): RemoteSyncState {
    const next = { ...this.read(settings), ...change };
    setSetting(this.sqlite, 'remote_sync_state', next);
    return next;
  }
}
