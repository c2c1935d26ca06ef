/**
 * Enabling sync: makes this datafile a remote site of a central server (central server URL, site
 * name, password), and Check connection once it is set up. Shown only where it makes sense: on a
 * remote site, or on a new datafile that has no stores of its own yet.
 */
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConnectionCheck, RemoteSyncView } from '../../shared/contract';
import type { AppError } from '../../shared/errors';
import { useApi } from '../api/api-context';
import { ErrorLine } from './ErrorLine';
import { Field } from './Field';
import { connectionText } from './sync-words';
import { fieldProblem } from '../i18n/words';

export function EnableSyncPanel(props: { canEdit: boolean; onEnabled?: () => void }) {
  const api = useApi();
  const { t } = useTranslation();
  const [view, setView] = useState<RemoteSyncView | null>(null);
  const [canEnable, setCanEnable] = useState(false);
  const [form, setForm] = useState({ centralUrl: '', siteName: '', password: '' });
  const [error, setError] = useState<AppError | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const [check, setCheck] = useState<ConnectionCheck | null>(null);
  const [checking, setChecking] = useState(false);

  const load = useCallback(async () => {
    const [remote, status] = await Promise.all([api.getRemoteSync({}), api.getSyncStatus({})]);
    if (!remote.ok) return setError(remote.error);
    if (!status.ok) return setError(status.error);
    setView(remote.value);
    setCanEnable(status.value.canEnableSync);
    setForm((f) => ({ ...f, centralUrl: remote.value.centralUrl ?? '', siteName: remote.value.siteName ?? '' }));
  }, [api]);

  useEffect(() => {
    void load();
  }, [load]);

  if (!view || !canEnable) return <ErrorLine error={error} />;

  const enable = async () => {
    setSaved(false);
    setCheck(null);
    const result = await api.enableSync(form);
    if (!result.ok) {
      setError(result.error);
      const issues =
        (result.error.data as { issues?: { field: string; message: string; rule?: string; limit?: number }[] } | undefined)?.issues ?? [];
      setFieldErrors(Object.fromEntries(issues.map((i) => [i.field, fieldProblem(t, i.field, i.message, i)])));
      return;
    }
    setError(null);
    setFieldErrors({});
    setView(result.value);
    setForm((f) => ({ ...f, password: '' }));
    setSaved(true);
    props.onEnabled?.();
  };

  const checkConnection = async () => {
    setChecking(true);
    setCheck(null);
    const result = await api.checkConnection({});
    setChecking(false);
    if (result.ok) {
      setCheck(result.value);
      setError(null);
    } else setError(result.error);
  };

  const edit = (field: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => setForm((f) => ({ ...f, [field]: e.target.value }));

  return (
    <section className="panel" aria-labelledby="enable-sync-title">
      <h3 id="enable-sync-title">{t('sync:enable.title')}</h3>
      <p className="hint">
        {view.configured ? t('sync:enable.configured', { url: view.centralUrl, site: view.siteName }) : t('sync:enable.not-configured')}{' '}
        {t('sync:enable.hardware-id')} <code>{view.hardwareId}</code>
      </p>
      <Field label={t('sync:enable.url')} error={fieldErrors.centralUrl}>
        <input
          type="url"
          value={form.centralUrl}
          placeholder="https://central.example.org:2048"
          disabled={!props.canEdit}
          onChange={edit('centralUrl')}
        />
      </Field>
      <Field label={t('sites:column.name')} error={fieldErrors.siteName}>
        <input type="text" value={form.siteName} disabled={!props.canEdit} onChange={edit('siteName')} />
      </Field>
      <Field label={t('field.password')} error={fieldErrors.password}>
        <input
          type="password"
          autoComplete="new-password"
          value={form.password}
          placeholder={view.configured ? t('sync:enable.password-again') : ''}
          disabled={!props.canEdit}
          onChange={edit('password')}
        />
      </Field>
      <div className="toolbar">
        {props.canEdit ? (
          <button type="button" className="button" onClick={() => void enable()}>
            {t('sync:enable.button')}
          </button>
        ) : null}
        {view.configured ? (
          <button type="button" className="button" disabled={checking} onClick={() => void checkConnection()}>
            {t('sync:check-connection')}
          </button>
        ) : null}
      </div>
      {saved ? (
        <p role="status" className="status-line">
          {t('sync:enable.done')}
        </p>
      ) : null}
      {check ? (
        <p role="status" className={check.outcome === 'connected' ? 'status-line' : 'error-line'}>
          {connectionText(t, check)}
        </p>
      ) : null}
      <ErrorLine error={error} />
    </section>
  );
}
