/**
 * The confirmation before a risky change. An alert dialog: focus stays inside, Escape cancels,
 * and Cancel has the focus first, so pressing Enter without reading never makes the change.
 */
import * as AlertDialog from '@radix-ui/react-alert-dialog';
import { useTranslation } from 'react-i18next';
import type { ConfirmRequest } from '../hooks/use-confirm';
import { confirmationText } from '../i18n/words';

export function ConfirmDialog(props: { request: ConfirmRequest | null; onAnswer: (confirmed: boolean) => void }) {
  const { request, onAnswer } = props;
  const { t } = useTranslation();
  return (
    <AlertDialog.Root open={request !== null} onOpenChange={(open) => !open && onAnswer(false)}>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="overlay overlay-alert" />
        <AlertDialog.Content className="dialog dialog-confirm">
          <AlertDialog.Title className="dialog-title">{t('confirm.title')}</AlertDialog.Title>
          <AlertDialog.Description asChild>
            <div className="confirm-messages">
              {request?.confirmations.map((c) => (
                <p key={c.kind}>{confirmationText(t, c)}</p>
              ))}
            </div>
          </AlertDialog.Description>
          <div className="dialog-buttons">
            <AlertDialog.Cancel className="button">{t('button.cancel')}</AlertDialog.Cancel>
            <AlertDialog.Action className="button button-danger" onClick={() => onAnswer(true)}>
              {request?.confirmLabel ?? t('button.ok')}
            </AlertDialog.Action>
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}
