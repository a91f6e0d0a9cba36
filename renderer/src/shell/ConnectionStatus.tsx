import { useConnection } from '../api/context.js';
import { useNow } from '../state/now.js';

const LABEL = { connecting: 'Connecting', online: 'Online', reconnecting: 'Reconnecting', offline: 'Offline' } as const;

/** Calm connection indicator: a dot and a word, with the retry countdown when not online. */
export function ConnectionStatus() {
  const c = useConnection();
  const now = useNow(1000);
  const retryIn = c.retryAt ? Math.max(0, Math.ceil((c.retryAt - now) / 1000)) : null;
  const detail =
    c.state === 'online'
      ? `Connected to Gatehouse ${c.hello?.version ?? ''} over ${c.transport === 'ipc' ? 'the desktop bridge' : 'WebSocket'}`
      : `${c.lastError ?? 'not connected'}${retryIn != null ? `; next try in ${retryIn} s` : ''}`;
  return (
    <span className={`conn conn-${c.state}`} data-testid="connection-status" data-state={c.state} title={detail} role="status">
      <span className="dot" aria-hidden="true" />
      {LABEL[c.state]}
      {c.state !== 'online' && retryIn != null && retryIn > 0 && <span className="conn-retry">{retryIn} s</span>}
    </span>
  );
}

/** A slim line under the header while the server is away: what you see may be stale. */
export function ConnectionBanner() {
  const c = useConnection();
  if (c.state === 'online' || c.state === 'connecting') return null;
  return (
    <div className={`conn-banner conn-banner-${c.state}`} data-testid="connection-banner" role="status">
      {c.state === 'reconnecting'
        ? 'Connection to the server lost. Showing the last known state; reconnecting on its own.'
        : `The server has been unreachable for a while (${c.lastError ?? 'no answer'}). Recording continues on the server if it is running; this console keeps retrying.`}
    </div>
  );
}
