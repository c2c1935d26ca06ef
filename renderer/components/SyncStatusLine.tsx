/**
 * The sync status of a remote site: last attempt and last successful sync, records waiting to go
 * out and to come in, refused changes, the last error in words with a hint of what to do, progress
 * step by step while a run is going, Sync now, Re-initialise (an administrator, after a
 * confirmation), and the sync interval. It polls the status quickly while a run is going (scheduled
 * runs too), slowly otherwise.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SyncStatus } from '../../shared/contract';
import { SyncProgressSteps } from './SyncProgressSteps';
import { syncErrorHint, syncFailureText } from './sync-words';
import { dateTime } from '../i18n/format';
import { errorText } from '../i18n/words';
import { i18n } from '../i18n';
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
  return iso ? dateTime(iso) : i18n.t('time.never');
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
  return i18n.t('sync:records', { count: n });
}

/** What a run is doing: the phase in words (English keeps the runner's own line, with its figures). */
function progressText(progress: NonNullable<SyncStatus['progress']>): string {
  return i18n.language === 'en' ? progress.message : i18n.t(`sync:phase.${progress.phase}`);
}

export function SyncStatusLine(props: { canEdit: boolean; onStatus?: (status: SyncStatus) => void }) {
  const api = useApi();
  const { t } = useTranslation();
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
    if (first.value.status === 'needs_confirmation' && !(await ask(first.value.confirmations, t('sync:reinitialise')))) return;
    setStatus((s) => (s ? { ...s, running: true, progress: starting } : s));
    const result = await api.reinitialiseSync({ confirmed: true });
    generation.current += 1;
    if (!result.ok) setError(result.error);
    else if (result.value.status === 'done') setStatus(result.value.sync);
  };

  const saveInterval = async () => {
    const minutes = Number(interval);
    if (interval.trim() === '' || !Number.isInteger(minutes) || minutes < 0) {
      setIntervalError(t('sync:interval.invalid'));
      return;
    }
    const result = await api.setSyncInterval({ minutes });
    if (result.ok) {
      setIntervalError(undefined);
      setStatus(result.value);
    } else setIntervalError(errorText(t, result.error));
  };

  if (!status) return <ErrorLine error={error} />;
  if (status.isCentralServer) {
    return (
      <p className="status-line" aria-label={t('sync:status-title')}>
        {t('sync:is-central')}
      </p>
    );
  }
  if (!status.configured) {
    return (
      <p className="status-line" aria-label={t('sync:status-title')}>
        {t('sync:not-set-up')}
      </p>
    );
  }

  const progress = status.running ? status.progress : null;
  return (
    <section className="panel sync-status" aria-labelledby="sync-status-title">
      <h3 id="sync-status-title">{t('sync:status-title')}</h3>
      <dl className="sync-facts" aria-label={t('sync:status-title')}>
        <dt>{t('sync:last-attempt')}</dt>
        <dd>{when(status.lastAttemptAt)}</dd>
        <dt>{t('sync:last-success')}</dt>
        <dd>{when(status.lastSuccessAt)}</dd>
        <dt>{t('sync:waiting-out')}</dt>
        <dd>{records(status.waitingOut)}</dd>
        <dt>{t('sync:waiting-in')}</dt>
        <dd>{status.waitingIn === null ? t('sync:not-known-yet') : records(status.waitingIn)}</dd>
        <dt>{t('sync:next-run')}</dt>
        <dd>{status.intervalMinutes === 0 ? t('sync:paused') : status.nextRunAt ? when(status.nextRunAt) : t('sync:not-scheduled')}</dd>
      </dl>
      {status.initialised ? null : <p className="hint">{t('sync:not-initialised')}</p>}
      <div className="toolbar">
        <button type="button" className="button" disabled={status.running} onClick={() => void syncNow()}>
          {t('sync:sync-now')}
        </button>
        {props.canEdit ? (
          <button type="button" className="button" disabled={status.running} onClick={() => void reinitialise()}>
            {t('sync:reinitialise')}
          </button>
        ) : null}
        {progress ? (
          <span className="status-line" role="status">
            {t('sync:syncing', { what: progressText(progress) })}
          </span>
        ) : null}
      </div>
      {progress ? <SyncProgressSteps steps={progress.steps} /> : null}
      {status.refused > 0 ? (
        <div className="view-only" role="status">
          {t('sync:refused', { count: status.refused })}
          {status.refusedMessage && i18n.language === 'en' ? ` ${status.refusedMessage}` : ''}{' '}
          <button type="button" className="button" onClick={() => setReviewing(true)}>
            {t('sync:review-refused')}
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
          <ErrorLine error={t('sync:last-failed', { error: syncFailureText(t, status.lastErrorCode, status.lastError) })} />
          {status.lastErrorCode ? <p className="hint sync-hint">{t('sync:what-to-do', { hint: syncErrorHint(t, status.lastErrorCode) })}</p> : null}
        </div>
      ) : null}
      <ErrorLine error={error} />
      <ConfirmDialog request={request} onAnswer={answer} />
      <Field
        label={t('sync:interval.label')}
        error={intervalError}
        hint={t('sync:interval.hint')}
        after={
          props.canEdit ? (
            <button type="button" className="button" onClick={() => void saveInterval()}>
              {t('sync:interval.set')}
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
