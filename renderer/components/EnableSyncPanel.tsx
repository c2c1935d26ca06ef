/**
 * Enabling sync: makes this datafile a remote site of a central server (central server URL, site
 * name, password), and Check connection once it is set up. Shown only where it makes sense: on a
 * remote site, or on a new datafile that has no stores of its own yet.
 */
import { useCallback, useEffect, useState } from 'react';
import type { ConnectionCheck, RemoteSyncView } from '../../shared/contract';
import type { AppError } from '../../shared/errors';
import { useApi } from '../api/api-context';
import { ErrorLine } from './ErrorLine';
import { Field } from './Field';

export function EnableSyncPanel(props: { canEdit: boolean; onEnabled?: () => void }) {
  const api = useApi();
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
      const issues = (result.error.data as { issues?: { field: string; message: string }[] } | undefined)?.issues ?? [];
      setFieldErrors(Object.fromEntries(issues.map((i) => [i.field, i.message])));
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

  const edit = (field: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) =>
    setForm((f) => ({ ...f, [field]: e.target.value }));

  return (
    <section className="panel" aria-labelledby="enable-sync-title">
      <h3 id="enable-sync-title">Enabling sync</h3>
      <p className="hint">
        {view.configured
          ? `This datafile syncs with ${view.centralUrl} as the site ${view.siteName}.`
          : 'Connect this datafile to a central server as one of its sites. The first sync brings this site’s stores and data.'}{' '}
        This machine’s hardware ID: <code>{view.hardwareId}</code>
      </p>
      <Field label="Central server URL" error={fieldErrors.centralUrl}>
        <input
          type="url"
          value={form.centralUrl}
          placeholder="https://central.example.org:2048"
          disabled={!props.canEdit}
          onChange={edit('centralUrl')}
        />
      </Field>
      <Field label="Site name" error={fieldErrors.siteName}>
        <input type="text" value={form.siteName} disabled={!props.canEdit} onChange={edit('siteName')} />
      </Field>
      <Field label="Password" error={fieldErrors.password}>
        <input
          type="password"
          autoComplete="new-password"
          value={form.password}
          placeholder={view.configured ? 'Type the site password again to change these settings.' : ''}
          disabled={!props.canEdit}
          onChange={edit('password')}
        />
      </Field>
      <div className="toolbar">
        {props.canEdit ? (
          <button type="button" className="button" onClick={() => void enable()}>
            Enable sync
          </button>
        ) : null}
        {view.configured ? (
          <button type="button" className="button" disabled={checking} onClick={() => void checkConnection()}>
            Check connection
          </button>
        ) : null}
      </div>
      {saved ? (
        <p role="status" className="status-line">
          Sync is enabled. Press Check connection to test it, then Sync now.
        </p>
      ) : null}
      {check ? (
        <p role="status" className={check.outcome === 'connected' ? 'status-line' : 'error-line'}>
          {check.message}
        </p>
      ) : null}
      <ErrorLine error={error} />
    </section>
  );
}
