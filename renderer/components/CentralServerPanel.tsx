/**
 * The central server inside the desktop app: whether remote sites can reach it, and on which port
 * (the app's setting). Shown only where this app runs one (a desktop app on a central datafile).
 */
import { useEffect, useState } from 'react';
import type { CentralServerView } from '../../shared/contract';
import type { AppError } from '../../shared/errors';
import { useApi } from '../api/api-context';
import { ErrorLine } from './ErrorLine';
import { Field } from './Field';

/** Said where the port is set: the operating system's firewall asks once, and its answer matters. */
export const firewallHint =
  'Remote sites connect to this computer on this port from other computers. The first time the server listens, ' +
  'Windows and macOS may ask whether mSupply Sync Sites may accept incoming network connections: allow it ' +
  '(on private networks), or remote sites cannot sync. Some ports, such as 6000 or 10080, cannot be used.';

export function CentralServerPanel(props: { canEdit: boolean }) {
  const api = useApi();
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
      <h3 id="central-server-title">Central server</h3>
      <p role="status" className={view.running ? 'status-line' : 'error-line'}>
        {view.running
          ? `Remote sites can sync with this datafile on port ${view.port}.`
          : (view.problem ?? 'The central server is not running.')}
      </p>
      <Field label="Central server port" hint={firewallHint}>
        <input type="number" min={1} max={65535} value={port} disabled={!props.canEdit} onChange={(e) => setPort(e.target.value)} />
      </Field>
      {props.canEdit ? (
        <button type="button" className="button" onClick={() => void save()}>
          Set port
        </button>
      ) : null}
      <ErrorLine error={error} />
    </section>
  );
}
