/** Log in to the datafile (or server) with a user name and password. */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { WhoAmI } from '../../shared/contract';
import type { AppError } from '../../shared/errors';
import { useApi } from '../api/api-context';
import { ErrorLine } from '../components/ErrorLine';
import { Field } from '../components/Field';
import { LanguagePicker } from '../components/LanguagePicker';
import type { Language } from '../i18n';

export function LoginWindow(props: {
  location?: string | null;
  onLoggedIn: (who: WhoAmI) => void;
  /** The language picked on this page, before anyone is logged in. */
  onLanguageChosen?: (language: Language) => void;
}) {
  const api = useApi();
  const { t } = useTranslation();
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
        <div className="login-heading">
          <h1 id="login-title">{t('login.title')}</h1>
          <LanguagePicker onChosen={props.onLanguageChosen} />
        </div>
        {props.location ? (
          <p className="hint">
            {/^https?:\/\//.test(props.location)
              ? t('login.server', { location: props.location })
              : t('login.datafile', { location: props.location })}
          </p>
        ) : null}
        <Field label={t('field.user-name')}>
          <input type="text" autoComplete="username" autoFocus value={userName} onChange={(e) => setUserName(e.target.value)} />
        </Field>
        <Field label={t('field.password')}>
          <input type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        </Field>
        <ErrorLine error={error} />
        <div className="dialog-buttons">
          <span className="spacer" />
          <button type="submit" className="button button-primary" disabled={busy}>
            {t('login.button')}
          </button>
        </div>
      </form>
    </main>
  );
}
