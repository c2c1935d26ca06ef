/**
 * The central server inside the desktop app: whether remote sites can reach it, and on which port
 * (the app's setting). Shown only where this app runs one (a desktop app on a central datafile).
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CentralServerView } from '../../shared/contract';
import type { AppError } from '../../shared/errors';
import { useApi } from '../api/api-context';
import { ErrorLine } from './ErrorLine';
import { Field } from './Field';

export function CentralServerPanel(props: { canEdit: boolean }) {
  const api = useApi();
  const { t, i18n } = useTranslation();
  const [view, setView] = useState<CentralServerView | null>(null);
  const [port, setPort] = useState('');
  const [error, setError] = useState<AppError | null>(null);

  useEffect(() => {
    void api.getCentralServer({}).then((result) => {
      if (!result.ok) return setError(result.error);
      setView(result.value);
      setPort(String(result.value.port));
    });
  }, [api]);

  if (!view?.available) return <ErrorLine error={error} />;

  const save = async () => {
    const result = await api.setCentralServerPort({ port: Number(port) });
    if (!result.ok) return setError(result.error);
    setError(null);
    setView(result.value);
  };

  return (
    <section className="panel" aria-labelledby="central-server-title">
      <h3 id="central-server-title">{t('sync:central.title')}</h3>
      <p role="status" className={view.running ? 'status-line' : 'error-line'}>
        {view.running
          ? t('sync:central.running', { port: view.port })
          : view.problem && i18n.language === 'en'
            ? view.problem
            : t('sync:central.not-running')}
      </p>
      {/* Said where the port is set: the operating system's firewall asks once, and its answer matters. */}
      <Field label={t('sync:central.port')} hint={t('sync:central.port-hint')}>
        <input type="number" min={1} max={65535} value={port} disabled={!props.canEdit} onChange={(e) => setPort(e.target.value)} />
      </Field>
      {props.canEdit ? (
        <button type="button" className="button" onClick={() => void save()}>
          {t('sync:central.set-port')}
        </button>
      ) : null}
      <ErrorLine error={error} />
    </section>
  );
}
