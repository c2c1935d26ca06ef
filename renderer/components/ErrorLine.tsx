import type { AppError } from '../../shared/errors';

/**
 * An error in words, announced to screen readers when it appears. It stays until the next action
 * or, with `onDismiss`, until the person dismisses it: a list refreshing itself never wipes it.
 */
export function ErrorLine(props: { error: AppError | string | null; children?: React.ReactNode; onDismiss?: () => void }) {
  if (!props.error) return null;
  const message = typeof props.error === 'string' ? props.error : props.error.message;
  return (
    <div role="alert" className="error-line">
      <span>{message}</span>
      {props.children}
      {props.onDismiss ? (
        <button type="button" className="button dismiss" onClick={props.onDismiss}>
          Dismiss
        </button>
      ) : null}
    </div>
  );
}
