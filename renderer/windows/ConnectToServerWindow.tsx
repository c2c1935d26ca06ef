/**
 * File > Connect to server...: work against a server's datafile instead of this computer's, as on
 * an mSupply client/server install. The address last used is offered again. Main checks the
 * address and that the server answers before it lets go of the local datafile, so a mistake here
 * leaves everything as it was and says why.
 */
import * as Dialog from '@radix-ui/react-dialog';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DatafileStatus, DesktopCommands } from '../../shared/bridge';
import { limits } from '../../shared/operations';
import { ErrorLine } from '../components/ErrorLine';
import { Field } from '../components/Field';
import { LanguagePicker } from '../components/LanguagePicker';
import type { Language } from '../i18n';
import { errorText } from '../i18n/words';

export function ConnectToServerWindow(props: {
  desktop: DesktopCommands;
  onConnected: (status: DatafileStatus) => void;
  onCancel: () => void;
  /** The language picked here: the window's and this computer's (a connection starts with nobody signed in). */
  onLanguageChosen?: (language: Language) => void;
}) {
  const { desktop } = props;
  const { t } = useTranslation();
  const [url, setUrl] = useState('');
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let current = true;
    void desktop.lastServerUrl().then((last) => {
      // Never overwrite what the person has started typing.
      if (current && last.ok && last.value) setUrl((typed) => typed || last.value || '');
    });
    return () => {
      current = false;
    };
  }, [desktop]);

  const connect = async () => {
    setBusy(true);
    setFailure(null);
    const result = await desktop.connectToServer({ url });
    setBusy(false);
    if (!result.ok) return setFailure(errorText(t, result.error));
    props.onConnected(result.value);
  };

  return (
    <Dialog.Root open onOpenChange={(open) => !open && !busy && props.onCancel()}>
      <Dialog.Portal>
        <Dialog.Overlay className="overlay" />
        <Dialog.Content className="dialog dialog-confirm" onPointerDownOutside={(e) => e.preventDefault()}>
          <form
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              void connect();
            }}
          >
            <div className="login-heading">
              <Dialog.Title className="dialog-title">{t('connect.title')}</Dialog.Title>
              <LanguagePicker onChosen={props.onLanguageChosen} />
            </div>
            <Dialog.Description className="hint">{t('connect.hint')}</Dialog.Description>
            <Field label={t('connect.address')}>
              <input
                type="url"
                inputMode="url"
                autoFocus
                spellCheck={false}
                placeholder="http://server:2048"
                maxLength={limits.url}
                value={url}
                onChange={(e) => setUrl(e.target.value)}
              />
            </Field>
            <ErrorLine error={failure} />
            <div className="dialog-buttons">
              <span className="spacer" />
              <button type="button" className="button" disabled={busy} onClick={props.onCancel}>
                {t('button.cancel')}
              </button>
              <button type="submit" className="button button-primary" disabled={busy}>
                {busy ? t('connect.connecting') : t('connect.button')}
              </button>
            </div>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
