import { useTranslation } from 'react-i18next';
import type { AppError } from '../../shared/errors';
import { errorText } from '../i18n/words';

/**
 * An error in words, announced to screen readers when it appears. It stays until the next action
 * or, with `onDismiss`, until the person dismisses it: a list refreshing itself never wipes it.
 * An AppError is worded from its code in the window's language; a string is already in words.
 */
export function ErrorLine(props: { error: AppError | string | null; children?: React.ReactNode; onDismiss?: () => void }) {
  const { t } = useTranslation();
  if (!props.error) return null;
  const message = errorText(t, props.error);
  return (
    <div role="alert" className="error-line">
      <span>{message}</span>
      {props.children}
      {props.onDismiss ? (
        <button type="button" className="button dismiss" onClick={props.onDismiss}>
          {t('button.dismiss')}
        </button>
      ) : null}
    </div>
  );
}
