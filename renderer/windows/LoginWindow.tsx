/** Log in to the datafile (or server) with a user name and password. */
import { useState } from 'react';
import type { WhoAmI } from '../../shared/contract';
import type { AppError } from '../../shared/errors';
import { useApi } from '../api/api-context';
import { ErrorLine } from '../components/ErrorLine';
import { Field } from '../components/Field';

export function LoginWindow(props: { location?: string | null; onLoggedIn: (who: WhoAmI) => void }) {
  const api = useApi();
  const [userName, setUserName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);

  const logIn = async () => {
    setBusy(true);
    const result = await api.login({ userName, password });
    setBusy(false);
    if (!result.ok) {
      setError(result.error);
      setPassword('');
      return;
    }
    props.onLoggedIn(result.value);
  };

  return (
    <main className="centre-window">
      <form
        className="window login"
        aria-labelledby="login-title"
        onSubmit={(e) => {
          e.preventDefault();
          void logIn();
        }}
      >
        <h1 id="login-title">Log in</h1>
        {props.location ? (
          <p className="hint">
            {/^https?:\/\//.test(props.location) ? 'Server' : 'Datafile'}: {props.location}
          </p>
        ) : null}
        <Field label="User name">
          <input type="text" autoComplete="username" autoFocus value={userName} onChange={(e) => setUserName(e.target.value)} />
        </Field>
        <Field label="Password">
          <input
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </Field>
        <ErrorLine error={error} />
        <div className="dialog-buttons">
          <span className="spacer" />
          <button type="submit" className="button button-primary" disabled={busy}>
            Log in
          </button>
        </div>
      </form>
    </main>
  );
}
