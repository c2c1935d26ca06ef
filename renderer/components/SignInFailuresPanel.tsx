/**
 * Failed sign-ins, as the central server counts them (in memory): for one site in the Sites window,
 * and for users on the Special page. An administrator sees how many, from where and until when a
 * lock holds, and can clear them, which lifts the lock at once.
 */
import type { TFunction } from 'i18next';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SignInFailures, UserSignInFailures } from '../../shared/contract';
import type { AppError } from '../../shared/errors';
import { useApi } from '../api/api-context';
import { ErrorLine } from './ErrorLine';
import { dateTime as time } from '../i18n/format';

/** "3 failed sign-ins in the last 15 minutes, the last from 10.0.0.7 at ... Locked until ...". */
export function describeFailures(t: TFunction, f: SignInFailures): string {
  if (f.failures === 0 && !f.lockedUntil) return t('sites:failures.none');
  const count =
    f.lastAddress && f.lastFailureAt
      ? t('sites:failures.count-last', { count: f.failures, address: f.lastAddress, at: time(f.lastFailureAt) })
      : t('sites:failures.count', { count: f.failures });
  const locked = f.lockedUntil ? ` ${t('sites:failures.locked-until', { until: time(f.lockedUntil) })}` : '';
  return `${count}${locked}`;
}

/** What an operation of the window's API answers. */
type ApiResult<K extends keyof ReturnType<typeof useApi>> = Awaited<ReturnType<ReturnType<typeof useApi>[K]>>;

export function SiteSignInFailures(props: { siteId: number }) {
  const api = useApi();
  const { t } = useTranslation();
  const [failures, setFailures] = useState<SignInFailures | null>(null);
  const [error, setError] = useState<AppError | null>(null);

  const show = useCallback((result: ApiResult<'getSiteSignInFailures'>) => {
    if (!result.ok) return setError(result.error);
    setError(null);
    setFailures(result.value);
  }, []);
  useEffect(() => {
    void api.getSiteSignInFailures({ siteId: props.siteId }).then(show);
  }, [api, props.siteId, show]);

  return (
    <div className="sign-in-failures" aria-label={t('sites:failures.label')}>
      {failures ? <p className={failures.lockedUntil ? 'error-line' : 'hint'}>{describeFailures(t, failures)}</p> : null}
      {failures && (failures.failures > 0 || failures.lockedUntil) ? (
        <button type="button" className="button" onClick={() => void api.clearSiteSignInFailures({ siteId: props.siteId }).then(show)}>
          {t('sites:failures.clear')}
        </button>
      ) : null}
      <ErrorLine error={error} />
    </div>
  );
}

export function UserSignInFailuresPanel() {
  const api = useApi();
  const { t } = useTranslation();
  const [rows, setRows] = useState<UserSignInFailures[] | null>(null);
  const [error, setError] = useState<AppError | null>(null);

  const show = useCallback((result: ApiResult<'listUserSignInFailures'>) => {
    if (!result.ok) return setError(result.error);
    setError(null);
    setRows(result.value.rows);
  }, []);
  const refresh = useCallback(() => void api.listUserSignInFailures({}).then(show), [api, show]);
  useEffect(refresh, [refresh]);

  return (
    <section className="panel" aria-labelledby="user-failures-title">
      <h3 id="user-failures-title">{t('users:failures.title')}</h3>
      {rows && rows.length === 0 ? <p className="hint">{t('users:failures.none')}</p> : null}
      {rows && rows.length > 0 ? (
        <ul className="failure-list">
          {rows.map((row) => (
            <li key={row.userName}>
              <span>
                <strong>{row.userName}</strong>: {describeFailures(t, row)}
              </span>{' '}
              <button
                type="button"
                className="button"
                aria-label={t('users:failures.clear-of', { name: row.userName })}
                onClick={() => void api.clearUserSignInFailures({ userName: row.userName }).then(show)}
              >
                {t('button.clear')}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <button type="button" className="button" onClick={refresh}>
        {t('button.refresh')}
      </button>
      <ErrorLine error={error} />
    </section>
  );
}
