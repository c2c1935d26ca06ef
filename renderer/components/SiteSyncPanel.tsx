/**
 * The site window's sync part on the central server: the same facts as the sites list's sync
 * columns, and the last error the site met (a refused sign-in with its reason, a refused request).
 */
import { useEffect, useState } from 'react';
import type { SiteSyncHealth } from '../../shared/contract';
import type { AppError } from '../../shared/errors';
import { useApi } from '../api/api-context';
import { ErrorLine } from './ErrorLine';
import { siteStatusNames } from './sync-words';

const when = (iso: string | null, otherwise = 'never') => (iso ? new Date(iso).toLocaleString() : otherwise);

export function SiteSyncPanel(props: { siteId: number }) {
  const api = useApi();
  const [health, setHealth] = useState<SiteSyncHealth | null>(null);
  const [error, setError] = useState<AppError | null>(null);

  useEffect(() => {
    let current = true;
    void api.getSiteSyncHealth({ siteId: props.siteId }).then((result) => {
      if (!current) return;
      if (result.ok) setHealth(result.value);
      else setError(result.error);
    });
    return () => {
      current = false;
    };
  }, [api, props.siteId]);

  return (
    <div className="site-sync" aria-label="Sync of this site">
      {health ? (
        <dl>
          <dt>Sync status</dt>
          <dd>{health.status ? <span className={`sync-badge ${health.status}`}>{siteStatusNames[health.status]}</span> : ''}</dd>
          <dt>Last connection</dt>
          <dd>{when(health.lastConnectedAt)}</dd>
          <dt>Last successful sync</dt>
          <dd>{when(health.lastSyncedAt)}</dd>
          <dt>Queued for the site</dt>
          <dd>{health.queued}</dd>
          <dt>Buffered from it</dt>
          <dd>{health.buffered}</dd>
          <dt>Refused from it</dt>
          <dd>{health.refused}</dd>
          <dt>App</dt>
          <dd>{health.appName ? `${health.appName} ${health.appVersion ?? ''}` : 'not known yet'}</dd>
          <dt>Last error</dt>
          <dd className={health.lastError ? 'error-text' : undefined}>
            {health.lastError ? `${health.lastError.message} (${when(health.lastError.at)})` : 'none since its last sync'}
          </dd>
          {health.lockedUntil ? (
            <>
              <dt>Locked</dt>
              <dd className="error-text">Sign-ins are refused until {when(health.lockedUntil)}.</dd>
            </>
          ) : null}
        </dl>
      ) : null}
      <ErrorLine error={error} />
    </div>
  );
}
