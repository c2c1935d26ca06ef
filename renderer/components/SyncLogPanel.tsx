/**
 * A remote site's sync log: every run (kept for a bounded time), newest first, with its start,
 * end, duration, outcome, records pushed and pulled, and the error in words with what to do.
 * Read again whenever `version` changes (the status line saw a run start or end).
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SyncLogEntry } from '../../shared/contract';
import { limits } from '../../shared/operations';
import type { AppError } from '../../shared/errors';
import { useApi } from '../api/api-context';
import { ErrorLine } from './ErrorLine';
import { syncErrorHint, syncFailureText } from './sync-words';
import { dateTime, duration as formatDuration, number, time } from '../i18n/format';

export function duration(from: string, to: string | null): string {
  if (to === null) return '';
  return formatDuration(Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000)));
}

const started = (iso: string) => dateTime(iso, { dateStyle: 'short', timeStyle: 'medium' });

/** The end of a run: its time alone when it ended the day it started. */
function ended(from: string, to: string | null): string {
  if (to === null) return '';
  const sameDay = new Date(from).toDateString() === new Date(to).toDateString();
  return sameDay ? time(to) : started(to);
}

export function SyncLogPanel(props: { version: string }) {
  const api = useApi();
  const { t } = useTranslation();
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
      <h3 id="sync-log-title">{t('sync:log.title')}</h3>
      {rows !== null && rows.length === 0 ? <p className="hint">{t('sync:log.empty')}</p> : null}
      {shown.length > 0 ? (
        <table className="sync-log" aria-labelledby="sync-log-title">
          <thead>
            <tr>
              <th scope="col">{t('sync:log.started')}</th>
              <th scope="col">{t('sync:log.ended')}</th>
              <th scope="col">{t('sync:log.duration')}</th>
              <th scope="col">{t('sync:log.outcome')}</th>
              <th scope="col">{t('sync:log.pushed')}</th>
              <th scope="col">{t('sync:log.pulled')}</th>
              <th scope="col">{t('sync:log.error')}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((row) => (
              <tr key={row.id} className={`sync-log-${row.outcome}`}>
                <td>{started(row.startedAt)}</td>
                <td>{ended(row.startedAt, row.endedAt)}</td>
                <td>{duration(row.startedAt, row.endedAt)}</td>
                <td>{t(`sync:outcome.${row.outcome}`)}</td>
                <td className="number">{number(row.pushed)}</td>
                <td className="number">{number(row.pulled)}</td>
                {/* What to do about it is in the tooltip: the status above says it in full for the last run. */}
                <td title={row.errorCode ? t('sync:what-to-do', { hint: syncErrorHint(t, row.errorCode) }) : undefined}>
                  {row.error ? syncFailureText(t, row.errorCode, row.error) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {rows !== null && rows.length > shown.length ? (
        <button type="button" className="button inline-button" onClick={() => setShowAll(true)}>
          {t('sync:log.show-all', { count: rows.length })}
        </button>
      ) : null}
      <p className="hint">{t('sync:log.kept', { days: limits.syncLogDays, runs: limits.syncLogRuns })}</p>
      <ErrorLine error={error} />
    </section>
  );
}
