/**
 * A remote site's sync log: every run (kept for a bounded time), newest first, with its start,
 * end, duration, outcome, records pushed and pulled, and the error in words with what to do.
 * Read again whenever `version` changes (the status line saw a run start or end).
 */
import { useEffect, useState } from 'react';
import type { SyncLogEntry } from '../../shared/contract';
import { limits } from '../../shared/operations';
import type { AppError } from '../../shared/errors';
import { useApi } from '../api/api-context';
import { ErrorLine } from './ErrorLine';
import { syncErrorHints } from './sync-words';

const outcomeNames: Record<SyncLogEntry['outcome'], string> = {
  running: 'running',
  success: 'succeeded',
  failed: 'failed',
  interrupted: 'interrupted',
};

export function duration(from: string, to: string | null): string {
  if (to === null) return '';
  const seconds = Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes} min ${seconds % 60} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

const started = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });

/** The end of a run: its time alone when it ended the day it started. */
function ended(from: string, to: string | null): string {
  if (to === null) return '';
  const sameDay = new Date(from).toDateString() === new Date(to).toDateString();
  return sameDay ? new Date(to).toLocaleTimeString() : started(to);
}

export function SyncLogPanel(props: { version: string }) {
  const api = useApi();
  const [rows, setRows] = useState<SyncLogEntry[] | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [showAll, setShowAll] = useState(false);

  useEffect(() => {
    let current = true;
    void api.listSyncLog({}).then((result) => {
      if (!current) return;
      if (result.ok) {
        setRows(result.value.rows);
        setError(null);
      } else setError(result.error);
    });
    return () => {
      current = false;
    };
  }, [api, props.version]);

  const shown = rows === null ? [] : showAll ? rows : rows.slice(0, 10);
  return (
    <section className="panel" aria-labelledby="sync-log-title">
      <h3 id="sync-log-title">Sync log</h3>
      {rows !== null && rows.length === 0 ? <p className="hint">No sync has run yet.</p> : null}
      {shown.length > 0 ? (
        <table className="sync-log" aria-labelledby="sync-log-title">
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">Ended</th>
              <th scope="col">Duration</th>
              <th scope="col">Outcome</th>
              <th scope="col">Pushed</th>
              <th scope="col">Pulled</th>
              <th scope="col">Error</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((row) => (
              <tr key={row.id} className={`sync-log-${row.outcome}`}>
                <td>{started(row.startedAt)}</td>
                <td>{ended(row.startedAt, row.endedAt)}</td>
                <td>{duration(row.startedAt, row.endedAt)}</td>
                <td>{outcomeNames[row.outcome]}</td>
                <td className="number">{row.pushed}</td>
                <td className="number">{row.pulled}</td>
                {/* What to do about it is in the tooltip: the status above says it in full for the last run. */}
                <td title={row.errorCode ? `What to do: ${syncErrorHints[row.errorCode]}` : undefined}>{row.error}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {rows !== null && rows.length > shown.length ? (
        <button type="button" className="button inline-button" onClick={() => setShowAll(true)}>
          Show all {rows.length} runs
        </button>
      ) : null}
      <p className="hint">
        Runs are kept for {limits.syncLogDays} days (at most the last {limits.syncLogRuns}).
      </p>
      <ErrorLine error={error} />
    </section>
  );
}
