/**
 * The sync status line of a remote site: last successful sync, records waiting to go out and to
 * come in, refused changes, the last error in words, a progress bar while a run is going, Sync now,
 * Re-initialise (an administrator, after a confirmation), and the sync interval. It polls the status quickly while a run is going (scheduled runs too),
 * slowly otherwise.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { SyncStatus } from '../../shared/contract';
import type { AppError } from '../../shared/errors';
import { useApi } from '../api/api-context';
import { RefusedChangesDialog } from '../dialogs/RefusedChangesDialog';
import { useConfirm } from '../hooks/use-confirm';
import { ConfirmDialog } from './ConfirmDialog';
import { ErrorLine } from './ErrorLine';
import { Field } from './Field';

export const runningPollMs = 300;
export const idlePollMs = 5000;

function when(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString() : 'never';
}

function records(n: number): string {
  return `${n} record${n === 1 ? '' : 's'}`;
}

export function SyncStatusLine(props: { canEdit: boolean; onStatus?: (status: SyncStatus) => void }) {
  const api = useApi();
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [interval, setIntervalText] = useState('');
  const [intervalError, setIntervalError] = useState<string | undefined>();
  const [reviewing, setReviewing] = useState(false);
  const { request, ask, answer } = useConfirm();

  // A poll sent during a run must not overwrite the answer of Sync now that arrived after it.
  const generation = useRef(0);

  const { onStatus } = props;
  useEffect(() => {
    if (status) onStatus?.(status);
  }, [status, onStatus]);

  const load = useCallback(async () => {
    const sent = generation.current;
    const result = await api.getSyncStatus({});
    if (sent !== generation.current) return;
    if (result.ok) {
      setStatus(result.value);
      setIntervalText((text) => (text === '' ? String(result.value.intervalMinutes) : text));
    } else setError(result.error);
  }, [api]);

  const running = status?.running ?? false;
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let current = true;
    const tick = async () => {
      await load();
      if (current) timer = setTimeout(() => void tick(), running ? runningPollMs : idlePollMs);
    };
    void tick();
    return () => {
      current = false;
      if (timer) clearTimeout(timer);
    };
  }, [load, running]);

  const syncNow = async () => {
    setError(null);
    setStatus((s) => (s ? { ...s, running: true, progress: s.progress ?? { phase: 'connecting', message: 'Starting…', done: 0, total: 0 } } : s));
    const result = await api.syncNow({});
    generation.current += 1;
    if (result.ok) setStatus(result.value);
    else setError(result.error);
  };

  const reinitialise = async () => {
    setError(null);
    const first = await api.reinitialiseSync({ confirmed: false });
    if (!first.ok) return setError(first.error);
    if (first.value.status === 'needs_confirmation' && !(await ask(first.value.confirmations, 'Re-initialise'))) return;
    setStatus((s) => (s ? { ...s, running: true, progress: { phase: 'connecting', message: 'Starting…', done: 0, total: 0 } } : s));
    const result = await api.reinitialiseSync({ confirmed: true });
    generation.current += 1;
    if (!result.ok) setError(result.error);
    else if (result.value.status === 'done') setStatus(result.value.sync);
  };

  const saveInterval = async () => {
    const minutes = Number(interval);
    if (interval.trim() === '' || !Number.isInteger(minutes) || minutes < 0) {
      setIntervalError('Enter a whole number of minutes (0 pauses automatic sync).');
      return;
    }
    const result = await api.setSyncInterval({ minutes });
    if (result.ok) {
      setIntervalError(undefined);
      setStatus(result.value);
    } else setIntervalError(result.error.message);
  };

  if (!status) return <ErrorLine error={error} />;
  if (status.isCentralServer) {
    return (
      <p className="status-line" aria-label="Sync status">
        This datafile is the central server: remote sites sync with it.
      </p>
    );
  }
  if (!status.configured) {
    return (
      <p className="status-line" aria-label="Sync status">
        Sync is not set up on this datafile. Use Enabling sync to connect it to a central server.
      </p>
    );
  }

  const progress = status.running ? status.progress : null;
  return (
    <section className="sync-status" aria-label="Sync status">
      <div className="toolbar">
        <button type="button" className="button" disabled={status.running} onClick={() => void syncNow()}>
          Sync now
        </button>
        {props.canEdit ? (
          <button type="button" className="button" disabled={status.running} onClick={() => void reinitialise()}>
            Re-initialise
          </button>
        ) : null}
        {progress ? (
          <>
            <progress
              aria-label="Sync progress"
              value={progress.total > 0 ? progress.done : undefined}
              max={progress.total > 0 ? progress.total : undefined}
            />
            <span className="status-line">
              {progress.message}
              {progress.total > 0 ? ` ${progress.done} of ${progress.total}` : ''}
            </span>
          </>
        ) : null}
      </div>
      <p className="status-line">
        {status.initialised ? '' : 'Not initialised yet: the first sync receives this site’s data. '}
        Last successful sync: {when(status.lastSuccessAt)}. Waiting to go out: {records(status.waitingOut)}. Waiting to come in:{' '}
        {status.waitingIn === null ? 'not known yet' : records(status.waitingIn)}.
        {status.intervalMinutes === 0
          ? ' Automatic sync is paused.'
          : status.nextRunAt
            ? ` Next automatic sync: ${when(status.nextRunAt)}.`
            : ''}
      </p>
      {status.refused > 0 ? (
        <div className="view-only" role="status">
          {records(status.refused)} refused by the central server and kept here for an administrator: {status.refusedMessage}{' '}
          <button type="button" className="button" onClick={() => setReviewing(true)}>
            Review refused changes
          </button>
        </div>
      ) : null}
      {reviewing ? (
        <RefusedChangesDialog
          canEdit={props.canEdit}
          onClose={() => {
            setReviewing(false);
            void load();
          }}
        />
      ) : null}
      <ErrorLine error={status.lastError ? `Last sync failed: ${status.lastError}` : error} />
      <ConfirmDialog request={request} onAnswer={answer} />
      <Field label="Sync every (minutes)" error={intervalError}>
        <input
          type="number"
          min={0}
          step={1}
          value={interval}
          disabled={!props.canEdit}
          onChange={(e) => setIntervalText(e.target.value)}
        />
      </Field>
      <p className="hint">0 pauses automatic sync.</p>
      {props.canEdit ? (
        <button type="button" className="button" onClick={() => void saveInterval()}>
          Set interval
        </button>
      ) : null}
    </section>
  );
}
