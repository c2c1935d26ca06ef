/** What each step of a sync run is given: nothing more than it needs, passed in by the runner. */
import type Database from 'better-sqlite3';
import type { RemoteSyncState } from '../../../db/settings';
import type { SyncPhase } from '../../../shared/contract';
import type { storeRecordStatements } from '../../services/store-records';
import type { CentralCalls } from './central-calls';

export interface RunContext {
  sqlite: Database.Database;
  central: CentralCalls;
  /** The site's saved sync state (cursor, pending acknowledgements, counts). */
  state: {
    read(): RemoteSyncState;
    update(change: Partial<RemoteSyncState>): RemoteSyncState;
  };
  records: ReturnType<typeof storeRecordStatements>;
  progress(phase: SyncPhase, message: string, done?: number, total?: number): void;
  /** Records per pushed batch, and asked for per pull. */
  batch: { push: number; pull: number };
}
