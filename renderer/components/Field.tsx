import { useId, type ReactElement, cloneElement, type ReactNode } from 'react';

/**
 * A labelled form row. The label names the control (so a person and a test find it by the same
 * words), and an error, when there is one, is tied to the control with aria-describedby.
 */
export function Field(props: {
  label: string;
  error?: string | undefined;
  children: ReactElement<Record<string, unknown>>;
  after?: ReactNode;
  /** A line under the control that says what it accepts (for example its longest length). */
  hint?: string;
}) {
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [props.error ? errorId : null, props.hint ? hintId : null].filter(Boolean).join(' ');
  const control = cloneElement(props.children, {
    id,
    'aria-invalid': props.error ? true : undefined,
    'aria-describedby': describedBy || undefined,
  });
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <div className="field-control">
        {control}
        {props.after}
      </div>
      {props.error ? (
        <p id={errorId} className="field-error">
          {props.error}
        </p>
      ) : null}
      {props.hint ? (
        <p id={hintId} className="field-hint hint">
          {props.hint}
        </p>
      ) : null}
    </div>
  );
}
