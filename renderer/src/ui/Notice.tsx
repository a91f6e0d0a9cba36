import type { ReactNode } from 'react';

/** A calm inline message: info, success, warn or error. */
export function Notice({
  tone = 'info',
  children,
  testId,
  onRetry,
}: {
  tone?: 'info' | 'ok' | 'warn' | 'error';
  children: ReactNode;
  testId?: string;
  onRetry?: () => void;
}) {
  return (
    <div className={`notice notice-${tone}`} role={tone === 'error' ? 'alert' : 'status'} data-testid={testId}>
      <span>{children}</span>
      {onRetry && (
        <button type="button" className="btn small" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}
