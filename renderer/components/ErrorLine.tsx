import type { AppError } from '../../shared/errors';

/** An error in words, announced to screen readers when it appears. */
export function ErrorLine(props: { error: AppError | string | null; children?: React.ReactNode }) {
  if (!props.error) return null;
  const message = typeof props.error === 'string' ? props.error : props.error.message;
  return (
    <div role="alert" className="error-line">
      <span>{message}</span>
      {props.children}
    </div>
  );
}
