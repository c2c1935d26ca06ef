/**
 * The site window's sync part on the central server: the same facts as the sites list's sync
 * columns, and the last error the site met (a refused sign-in with its reason, a refused request).
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SiteSyncHealth } from '../../shared/contract';
import type { AppError } from '../../shared/errors';
import { useApi } from '../api/api-context';
import { ErrorLine } from './ErrorLine';
import { siteErrorText } from './sync-words';
import { dateTime, number } from '../i18n/format';

export function SiteSyncPanel(props: { siteId: number }) {
  const api = useApi();
  const { t } = useTranslation();
  const when = (iso: string | null) => (iso ? dateTime(iso) : t('time.never'));
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
    <div className="site-sync" aria-label={t('sites:sync.label')}>
      {health ? (
        <dl>
          <dt>{t('sites:column.sync-status')}</dt>
          <dd>{health.status ? <span className={`sync-badge ${health.status}`}>{t(`sync:status.${health.status}`)}</span> : ''}</dd>
          <dt>{t('sites:sync.last-connection')}</dt>
          <dd>{when(health.lastConnectedAt)}</dd>
          <dt>{t('sync:last-success')}</dt>
          <dd>{when(health.lastSyncedAt)}</dd>
          <dt>{t('sites:sync.queued')}</dt>
          <dd>{number(health.queued)}</dd>
          <dt>{t('sites:sync.buffered')}</dt>
          <dd>{number(health.buffered)}</dd>
          <dt>{t('sites:sync.refused')}</dt>
          <dd>{number(health.refused)}</dd>
          <dt>{t('sites:sync.app')}</dt>
          <dd>{health.appName ? `${health.appName} ${health.appVersion ?? ''}` : t('sync:not-known-yet')}</dd>
          <dt>{t('sites:sync.last-error')}</dt>
          <dd className={health.lastError ? 'error-text' : undefined}>
            {health.lastError
              ? t('sites:sync.error-at', { error: siteErrorText(t, health.lastError), at: when(health.lastError.at) })
              : t('sites:sync.no-error')}
          </dd>
          {health.lockedUntil ? (
            <>
              <dt>{t('sites:sync.locked')}</dt>
              <dd className="error-text">{t('sites:sync.locked-until', { until: when(health.lockedUntil) })}</dd>
            </>
          ) : null}
        </dl>
      ) : null}
      <ErrorLine error={error} />
    </div>
  );
}
