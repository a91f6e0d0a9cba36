import { useRef, type KeyboardEvent } from 'react';

export interface TabDef<K extends string> {
  key: K;
  label: string;
}

/** Tab strip with arrow-key movement (roving focus). */
export function Tabs<K extends string>({
  tabs,
  current,
  onChange,
  testId,
}: {
  tabs: TabDef<K>[];
  current: K;
  onChange: (k: K) => void;
  testId?: string;
}) {
  const refs = useRef<Array<HTMLButtonElement | null>>([]);
  const onKey = (e: KeyboardEvent, i: number) => {
    let n = -1;
    if (e.key === 'ArrowRight') n = (i + 1) % tabs.length;
    else if (e.key === 'ArrowLeft') n = (i - 1 + tabs.length) % tabs.length;
    else if (e.key === 'Home') n = 0;
    else if (e.key === 'End') n = tabs.length - 1;
    if (n < 0) return;
    e.preventDefault();
    onChange(tabs[n]!.key);
    refs.current[n]?.focus();
  };
  return (
    <div className="tabs" role="tablist" data-testid={testId}>
      {tabs.map((t, i) => (
        <button
          key={t.key}
          ref={(el) => {
            refs.current[i] = el;
          }}
          type="button"
          role="tab"
          aria-selected={t.key === current}
          tabIndex={t.key === current ? 0 : -1}
          className={`tab${t.key === current ? ' current' : ''}`}
          onClick={() => onChange(t.key)}
          onKeyDown={(e) => onKey(e, i)}
          data-testid={`${testId ?? 'tab'}-${t.key}`}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}
