import { useId, type ReactNode } from 'react';

/** A labelled form field with its hint and the server's message for it. */
export function Field({
  label,
  error,
  hint,
  children,
  testId,
}: {
  label: string;
  error?: string | null;
  hint?: ReactNode;
  children: (props: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string }) => ReactNode;
  testId?: string;
}) {
  const id = useId();
  const msgId = `${id}-msg`;
  return (
    <div className={`field${error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': !!error, 'aria-describedby': error || hint ? msgId : undefined })}
      {error ? (
        <div className="field-error" id={msgId} role="alert" data-testid={testId ? `${testId}-error` : undefined}>
          {error}
        </div>
      ) : hint ? (
        <div className="field-hint" id={msgId}>
          {hint}
        </div>
      ) : null}
    </div>
  );
}
