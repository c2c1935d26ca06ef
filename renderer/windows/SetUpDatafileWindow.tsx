/**
 * A new datafile has no users: the person opening it chooses the first administrator's user name
 * and password here. There is no default password anywhere.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DatafileStatus, DesktopCommands } from '../../shared/bridge';
import { ErrorLine } from '../components/ErrorLine';
import { LanguagePicker } from '../components/LanguagePicker';
import type { Language } from '../i18n';
import { Field } from '../components/Field';
import { errorText } from '../i18n/words';

export const minAdminPasswordLength = 8;

export function SetUpDatafileWindow(props: {
  desktop: DesktopCommands;
  location: string | null;
  onSetUp: (status: DatafileStatus, admin: { userName: string; password: string }) => void;
  /** The language picked here, before anyone is signed in (it becomes the administrator's). */
  onLanguageChosen?: (language: Language) => void;
}) {
  const { t } = useTranslation();
  const [userName, setUserName] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [demo, setDemo] = useState(false);
  const [errors, setErrors] = useState<{ userName?: string; password?: string; confirm?: string }>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const setUp = async () => {
    const found: typeof errors = {};
    if (!userName.trim()) found.userName = t('setup.user-name-required');
    if (password.length < minAdminPasswordLength) {
      found.password = t('setup.password-too-short', { count: minAdminPasswordLength });
    }
    if (confirm !== password) found.confirm = t('setup.passwords-differ');
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    const result = await props.desktop.setUpDatafile({ userName: userName.trim(), password, demo });
    setBusy(false);
    if (!result.ok) return setFailure(errorText(t, result.error));
    props.onSetUp(result.value, { userName: userName.trim(), password });
  };

  return (
    <main className="centre-window">
      <form
        className="window login"
        aria-labelledby="setup-title"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void setUp();
        }}
      >
        <div className="login-heading">
          <h1 id="setup-title">{t('setup.title')}</h1>
          <LanguagePicker onChosen={props.onLanguageChosen} />
        </div>
        {props.location ? <p className="hint">{t('login.datafile', { location: props.location })}</p> : null}
        <p className="hint">{t('setup.hint')}</p>
        <Field label={t('field.user-name')} error={errors.userName}>
          <input type="text" autoComplete="username" autoFocus value={userName} onChange={(e) => setUserName(e.target.value)} />
        </Field>
        <Field label={t('field.password')} error={errors.password}>
          <input
            type="password"
            autoComplete="new-password"
            minLength={minAdminPasswordLength}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </Field>
        <Field label={t('field.confirm-password')} error={errors.confirm}>
          <input type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} />
        </Field>
        <label className="check">
          <input type="checkbox" checked={demo} onChange={(e) => setDemo(e.target.checked)} />
          {t('setup.example-data')}
        </label>
        <ErrorLine error={failure} />
        <div className="dialog-buttons">
          <span className="spacer" />
          <button type="submit" className="button button-primary" disabled={busy}>
            {t('setup.button')}
          </button>
        </div>
      </form>
    </main>
  );
}
