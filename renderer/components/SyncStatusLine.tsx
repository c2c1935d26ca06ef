/**
 * The sync status of a remote site: last attempt and last successful sync, records waiting to go
 * out and to come in, refused changes, the last error in words with a hint of what to do, progress
 * step by step while a run is going, Sync now, Re-initialise (an administrator, after a
 * confirmation), and the sync interval. It polls the status quickly while a run is going (scheduled
 * runs too), slowly otherwise.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { SyncStatus } from '../../shared/contract';
import { SyncProgressSteps } from './SyncProgressSteps';
import { syncErrorHints } from './sync-words';
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

const starting: NonNullable<SyncStatus['progress']> = {
  phase: 'connecting',
  message: 'Starting…',
  done: 0,
  total: 0,
  steps: [
    { step: 'push', state: 'waiting', done: 0, total: 0 },
    { step: 'integrate', state: 'waiting', done: 0, total: 0 },
    { step: 'pull_central', state: 'waiting', done: 0, total: 0 },
    { step: 'pull_queue', state: 'waiting', done: 0, total: 0 },
  ],
};

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
    setStatus((s) => (s ? { ...s, running: true, progress: s.progress ?? starting } : s));
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
    setStatus((s) => (s ? { ...s, running: true, progress: starting } : s));
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
    <section className="panel sync-status" aria-labelledby="sync-status-title">
      <h3 id="sync-status-title">Sync status</h3>
      <dl className="sync-facts" aria-label="Sync status">
        <dt>Last attempt</dt>
        <dd>{when(status.lastAttemptAt)}</dd>
        <dt>Last successful sync</dt>
        <dd>{when(status.lastSuccessAt)}</dd>
        <dt>Waiting to go out</dt>
        <dd>{records(status.waitingOut)}</dd>
        <dt>Waiting to come in</dt>
        <dd>{status.waitingIn === null ? 'not known yet' : records(status.waitingIn)}</dd>
        <dt>Next automatic sync</dt>
        <dd>{status.intervalMinutes === 0 ? 'paused' : status.nextRunAt ? when(status.nextRunAt) : 'not scheduled'}</dd>
      </dl>
      {status.initialised ? null : <p className="hint">Not initialised yet: the first sync receives this site’s data.</p>}
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
          <span className="status-line" role="status">
            Syncing: {progress.message}
          </span>
        ) : null}
      </div>
      {progress ? <SyncProgressSteps steps={progress.steps} /> : null}
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
      {status.lastError && !status.running ? (
        <div className="sync-error">
          <ErrorLine error={`Last sync failed: ${status.lastError}`} />
          {status.lastErrorCode ? <p className="hint sync-hint">What to do: {syncErrorHints[status.lastErrorCode]}</p> : null}
        </div>
      ) : null}
      <ErrorLine error={error} />
      <ConfirmDialog request={request} onAnswer={answer} />
      <Field
        label="Sync every (minutes)"
        error={intervalError}
        hint="0 pauses automatic sync."
        after={
          props.canEdit ? (
            <button type="button" className="button" onClick={() => void saveInterval()}>
              Set interval
            </button>
          ) : undefined
        }
      >
        <input
          type="number"
          className="interval-input"
          min={0}
          step={1}
          value={interval}
          disabled={!props.canEdit}
          onChange={(e) => setIntervalText(e.target.value)}
        />
      </Field>
    </section>
  );
}
