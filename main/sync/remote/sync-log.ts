/**
 * A remote site's sync log (the sync_log table): one row per run, begun when the run starts and
 * finished when it ends, so a run cut short by a crash is still listed (as interrupted). The log is
 * bounded in time and in size: each new run drops runs older than `keepDays` and all but the newest
 * `keepRuns`, in the same transaction as it is begun.
 */
import type Database from 'better-sqlite3';
import { limits, type SyncErrorCode, type SyncLogEntry } from '../../../shared/contract';

export interface SyncLogLimits {
  /** Runs older than this many days are dropped (default 30). */
  keepDays?: number;
  /** At most this many runs are kept (default 500: three days of runs every 10 minutes, and more). */
  keepRuns?: number;
}

export const defaultSyncLogLimits = { keepDays: limits.syncLogDays, keepRuns: limits.syncLogRuns } as const;

interface LogRow extends Omit<SyncLogEntry, 'outcome' | 'errorCode'> {
  outcome: 'running' | 'success' | 'failed';
  errorCode: string | null;
}

export class SyncLog {
  private readonly keepDays: number;
  private readonly keepRuns: number;
  private readonly statements;

  constructor(
    private readonly sqlite: Database.Database,
    limits: SyncLogLimits = {},
  ) {
    this.keepDays = limits.keepDays ?? defaultSyncLogLimits.keepDays;
    this.keepRuns = limits.keepRuns ?? defaultSyncLogLimits.keepRuns;
    this.statements = {
      begin: sqlite.prepare('insert into sync_log (started_at) values (?)'),
      dropOld: sqlite.prepare('delete from sync_log where started_at < ?'),
      dropBeyond: sqlite.prepare('delete from sync_log where id not in (select id from sync_log order by id desc limit ?)'),
      finish: sqlite.prepare(
        `update sync_log set ended_at = :endedAt, outcome = :outcome, pushed = :pushed, pulled = :pulled,
           error = :error, error_code = :errorCode where id = :id`,
      ),
      list: sqlite.prepare(
        `select id, started_at as startedAt, ended_at as endedAt, outcome, pushed, pulled, error, error_code as errorCode
         from sync_log order by id desc limit ?`,
      ),
    };
  }

  /** Starts a run's row (and trims the log); its ID is given to `finish`. */
  begin(startedAt: Date): number {
    return this.sqlite
      .transaction(() => {
        this.statements.dropOld.run(new Date(startedAt.getTime() - this.keepDays * 86_400_000).toISOString());
        const id = Number(this.statements.begin.run(startedAt.toISOString()).lastInsertRowid);
        this.statements.dropBeyond.run(this.keepRuns);
        return id;
      })
      .immediate();
  }

  finish(id: number, result: { outcome: 'success' | 'failed'; pushed: number; pulled: number; error?: string; errorCode?: SyncErrorCode }): void {
    this.statements.finish.run({
      id,
      endedAt: new Date().toISOString(),
      outcome: result.outcome,
      pushed: result.pushed,
      pulled: result.pulled,
      error: result.error ?? null,
      errorCode: result.errorCode ?? null,
    });
  }

  /** Newest first. A row still "running" that is not the run going now was cut short: interrupted. */
  list(runningId: number | null): SyncLogEntry[] {
    const rows = this.statements.list.all(this.keepRuns) as LogRow[];
    return rows.map((row) => ({
      ...row,
      outcome: row.outcome === 'running' && row.id !== runningId ? 'interrupted' : row.outcome,
      errorCode: row.errorCode as SyncErrorCode | null,
    }));
  }
}
