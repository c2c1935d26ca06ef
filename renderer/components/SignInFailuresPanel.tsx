/**
 * Failed sign-ins, as the central server counts them (in memory): for one site in the Sites window,
 * and for users on the Special page. An administrator sees how many, from where and until when a
 * lock holds, and can clear them, which lifts the lock at once.
 */
import { useCallback, useEffect, useState } from 'react';
import type { SignInFailures, UserSignInFailures } from '../../shared/contract';
import type { AppError } from '../../shared/errors';
import { useApi } from '../api/api-context';
import { ErrorLine } from './ErrorLine';

const time = (iso: string) => new Date(iso).toLocaleString();

/** "3 failed sign-ins in the last 15 minutes, the last from 10.0.0.7 at ... Locked until ...". */
export function describeFailures(f: SignInFailures): string {
  if (f.failures === 0 && !f.lockedUntil) return 'No failed sign-ins in the last 15 minutes.';
  const count = `${f.failures} failed sign-in${f.failures === 1 ? '' : 's'} in the last 15 minutes`;
  const last = f.lastAddress && f.lastFailureAt ? `, the last from ${f.lastAddress} at ${time(f.lastFailureAt)}` : '';
  const locked = f.lockedUntil ? ` Sign-ins from there are refused until ${time(f.lockedUntil)}.` : '';
  return `${count}${last}.${locked}`;
}

export function SiteSignInFailures(props: { siteId: number }) {
  const api = useApi();
  const [failures, setFailures] = useState<SignInFailures | null>(null);
  const [error, setError] = useState<AppError | null>(null);

  const show = (result: Awaited<ReturnType<typeof api.getSiteSignInFailures>>) => {
    if (!result.ok) return setError(result.error);
    setError(null);
    setFailures(result.value);
  };
  useEffect(() => {
    void api.getSiteSignInFailures({ siteId: props.siteId }).then(show);
  }, [api, props.siteId]);

  return (
    <div className="sign-in-failures" aria-label="Failed sign-ins">
      {failures ? (
        <p className={failures.lockedUntil ? 'error-line' : 'hint'}>
          {describeFailures(failures)}
        </p>
      ) : null}
      {failures && (failures.failures > 0 || failures.lockedUntil) ? (
        <button
          type="button"
          className="button"
          onClick={() => void api.clearSiteSignInFailures({ siteId: props.siteId }).then(show)}
        >
          Clear failed sign-ins
        </button>
      ) : null}
      <ErrorLine error={error} />
    </div>
  );
}

export function UserSignInFailuresPanel() {
  const api = useApi();
  const [rows, setRows] = useState<UserSignInFailures[] | null>(null);
  const [error, setError] = useState<AppError | null>(null);

  const show = useCallback((result: Awaited<ReturnType<typeof api.listUserSignInFailures>>) => {
    if (!result.ok) return setError(result.error);
    setError(null);
    setRows(result.value.rows);
  }, []);
  const refresh = useCallback(() => void api.listUserSignInFailures({}).then(show), [api, show]);
  useEffect(refresh, [refresh]);

  return (
    <section className="panel" aria-labelledby="user-failures-title">
      <h3 id="user-failures-title">Failed logins</h3>
      {rows && rows.length === 0 ? <p className="hint">No failed logins in the last 15 minutes.</p> : null}
      {rows && rows.length > 0 ? (
        <ul className="failure-list">
          {rows.map((row) => (
            <li key={row.userName}>
              <span>
                <strong>{row.userName}</strong>: {describeFailures(row)}
              </span>{' '}
              <button
                type="button"
                className="button"
                aria-label={`Clear failed logins of ${row.userName}`}
                onClick={() => void api.clearUserSignInFailures({ userName: row.userName }).then(show)}
              >
                Clear
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <button type="button" className="button" onClick={refresh}>
        Refresh
      </button>
      <ErrorLine error={error} />
    </section>
  );
}
