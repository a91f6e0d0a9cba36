/**
 * The phone console (390 × 844 and up to 600 px wide, touch): the alarm
 * queue and an alarm's detail with its actions, one camera live, and the
 * account (two-factor, the certificate's fingerprint). Same client, same
 * requests, same state machine and audit as the desk; larger targets
 * (at least 44 px), nothing wider than the screen; the arming mode in the
 * top bar. docs/console.md.
 */
import { useClient, useConnection } from '../../api/context.js';
import { navigate, useRoute } from '../../state/route.js';
import { ConnectionBanner, ConnectionStatus } from '../../shell/ConnectionStatus.js';
import { AfterSignIn } from '../../shell/AfterSignIn.js';
import { useToast } from '../../ui/toast.js';
import { PRIORITY_STYLES } from '../alarms/priority-style.js';
import { useOpenAlarms } from '../alarms/OpenAlarms.js';
import { PhoneAlarmDetail } from './PhoneAlarmDetail.js';
import { PhoneAlarms } from './PhoneAlarms.js';
import { PhoneArming } from './PhoneArming.js';
import { PhoneLive } from './PhoneLive.js';
import { PhoneMore } from './PhoneMore.js';
import '../alarms/alarms.css';
import './phone.css';

type Tab = 'alarms' | 'live' | 'more';

function tabOf(view: string, hasHash: boolean): Tab {
  if (!hasHash || view === 'alarms') return 'alarms';
  if (view === 'live') return 'live';
  return 'more';
}

/** The most urgent alarm nobody acknowledged, over every screen but its own: one tap opens it. */
function PhoneBanner({ openId }: { openId: number | null }) {
  const { alerting } = useOpenAlarms();
  const top = alerting[0];
  if (!top || top.id === openId) return null;
  const s = PRIORITY_STYLES[top.priority];
  return (
    <button
      type="button"
      className="phone-banner"
      role="alert"
      style={{ borderColor: s.color, background: s.tint }}
      onClick={() => navigate('alarms', { alarm: String(top.id) })}
      data-testid="phone-banner"
      data-alarm={top.id}
    >
      <span className="pb-prio" style={{ color: s.color }}>
        P{top.priority}
      </span>
      <span className="pb-title">{top.title}</span>
      {alerting.length > 1 && <span className="pb-more">+{alerting.length - 1}</span>}
      <span className="pb-open">Open</span>
    </button>
  );
}

function NavCount() {
  const { queue } = useOpenAlarms();
  const waiting = queue.filter((a) => a.state === 'new');
  if (!waiting.length) return null;
  const top = Math.min(...waiting.map((a) => a.priority)) as 1 | 2 | 3 | 4 | 5;
  return (
    <span className="nav-count" style={{ background: PRIORITY_STYLES[top].color }} data-testid="nav-alarms-count" aria-label={`${waiting.length} not acknowledged`}>
      {waiting.length}
    </span>
  );
}

export function PhoneConsole() {
  const route = useRoute();
  const conn = useConnection();
  const client = useClient();
  const toast = useToast();
  const hasHash = typeof location !== 'undefined' && location.hash.length > 2;
  const tab = tabOf(route.view, hasHash);
  const openId = tab === 'alarms' && route.params.alarm ? Number(route.params.alarm) : null;
  const user = conn.user!;
  const logout = () => client.logout().catch((err: Error) => toast(err.message, 'error'));

  return (
    <div className="phone-shell" data-testid="phone-console">
      <header className="phone-top">
        <span className="brand-mark" aria-hidden="true" />
        <span className="phone-brand">Gatehouse</span>
        <span className="spacer" />
        <PhoneArming />
        <ConnectionStatus />
        <span className="phone-user" data-testid="current-user" data-role={user.role}>
          {user.username}
        </span>
      </header>
      <ConnectionBanner />
      <PhoneBanner openId={openId} />
      <main className="phone-main" data-view={tab}>
        {tab === 'alarms' && (openId !== null ? <PhoneAlarmDetail id={openId} /> : <PhoneAlarms />)}
        {tab === 'live' && <PhoneLive />}
        {tab === 'more' && <PhoneMore onLogout={logout} desktopView={route.view === 'settings' ? null : route.view} />}
      </main>
      <nav className="phone-nav" aria-label="Views">
        <a href="#/alarms" className={tab === 'alarms' ? 'current' : ''} aria-current={tab === 'alarms' ? 'page' : undefined} data-testid="nav-alarms">
          Alarms
          <NavCount />
        </a>
        <a href="#/live" className={tab === 'live' ? 'current' : ''} aria-current={tab === 'live' ? 'page' : undefined} data-testid="nav-live">
          Live
        </a>
        <a href="#/settings?tab=account" className={tab === 'more' ? 'current' : ''} aria-current={tab === 'more' ? 'page' : undefined} data-testid="nav-settings">
          More
        </a>
      </nav>
      <AfterSignIn />
    </div>
  );
}
