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
}) {
  const id = useId();
  const errorId = `${id}-error`;
  const control = cloneElement(props.children, {
    id,
    'aria-invalid': props.error ? true : undefined,
    'aria-describedby': props.error ? errorId : undefined,
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
    </div>
  );
}
