import { useRef, useState, type MouseEvent } from 'react';
import { useClient, useConnection } from '../api/context.js';
import { ShortcutsOverlay } from '../keyboard/ShortcutsOverlay.js';
import { useShortcuts } from '../keyboard/useShortcuts.js';
import { getFocusCamera } from '../state/focus-camera.js';
import { navigate, useRoute, type ViewKey } from '../state/route.js';
import { useToast } from '../ui/toast.js';
import { AlarmBanner } from '../views/alarms/AlarmBanner.js';
import { OpenAlarmsProvider, useOpenAlarms } from '../views/alarms/OpenAlarms.js';
import { PanicDialog } from '../views/alarms/PanicDialog.js';
import { PRIORITY_STYLES } from '../views/alarms/priority-style.js';
import { AlarmWall } from '../views/alarms/AlarmWall.js';
import { AlarmsView } from '../views/alarms/AlarmsView.js';
import { CamerasView } from '../views/cameras/CamerasView.js';
import { EvidenceView } from '../views/evidence/EvidenceView.js';
import { ReviewView } from '../views/review/ReviewView.js';
import { PeopleView } from '../views/people/PeopleView.js';
import { LiveView } from '../views/live/LiveView.js';
import { PlaybackView } from '../views/playback/PlaybackView.js';
import { PhoneConsole } from '../views/phone/PhoneConsole.js';
import { usePhone } from '../views/phone/usePhone.js';
import { ArmingBadge } from '../views/rules/ArmingSwitch.js';
import { RulesView } from '../views/rules/RulesView.js';
import { SettingsView } from '../views/settings/SettingsView.js';
import { Clock } from './Clock.js';
import { ConnectionBanner, ConnectionStatus } from './ConnectionStatus.js';
import { AfterSignIn } from './AfterSignIn.js';
import { HealthSummary } from './HealthSummary.js';

const NAV: Array<{ view: ViewKey; label: string; letter: string; fkey: string }> = [
  { view: 'live', label: 'Live', letter: 'l', fkey: 'F1' },
  { view: 'playback', label: 'Playback', letter: 'p', fkey: 'F2' },
  { view: 'alarms', label: 'Alarms', letter: 'a', fkey: 'F3' },
  { view: 'cameras', label: 'Cameras', letter: 'c', fkey: 'F4' },
  { view: 'settings', label: 'Settings', letter: 's', fkey: 'F5' },
  { view: 'evidence', label: 'Evidence', letter: 'e', fkey: 'F6' },
  { view: 'rules', label: 'Rules', letter: 'r', fkey: 'F7' },
  { view: 'review', label: 'Review', letter: 'd', fkey: 'F8' },
  { view: 'people', label: 'People', letter: 'f', fkey: 'F9' },
];

function View({ view }: { view: ViewKey }) {
  switch (view) {
    case 'live':
      return <LiveView />;
    case 'playback':
      return <PlaybackView />;
    case 'alarms':
      return <AlarmsView />;
    case 'cameras':
      return <CamerasView />;
    case 'settings':
      return <SettingsView />;
    case 'evidence':
      return <EvidenceView />;
    case 'rules':
      return <RulesView />;
    case 'review':
      return <ReviewView />;
    case 'people':
      return <PeopleView />;
  }
}

/** The console frame (the desk's, or the phone's on a narrow screen), or a full-screen page such as the alarm wall (#/alarm-wall). */
export function Shell() {
  const route = useRoute();
  const phone = usePhone();
  if (route.page === 'alarm-wall') return <AlarmWall />;
  return <OpenAlarmsProvider>{phone ? <PhoneConsole /> : <Console />}</OpenAlarmsProvider>;
}

/** The Alarms tab's count: alarms nobody acknowledged yet, in the colour of the most urgent. */
function AlarmCount() {
  const { queue } = useOpenAlarms();
  const waiting = queue.filter((a) => a.state === 'new');
  if (!waiting.length) return null;
  const top = Math.min(...waiting.map((a) => a.priority)) as 1 | 2 | 3 | 4 | 5;
  const s = PRIORITY_STYLES[top];
  return (
    <span
      className="nav-count"
      style={{ background: s.color }}
      data-testid="nav-alarms-count"
      data-priority={top}
      aria-label={`${waiting.length} not acknowledged`}
    >
      {waiting.length}
    </span>
  );
}

/** Header (navigation, health, connection, clock, user), the alarm banner and the current view. */
function Console() {
  const client = useClient();
  const conn = useConnection();
  const toast = useToast();
  const route = useRoute();
  const [help, setHelp] = useState(false);
  const [panic, setPanic] = useState<{ cameraId: string | null } | null>(null);
  const user = conn.user!;

  useShortcuts('Global', [
    ...NAV.map((n) => ({
      keys: [`g ${n.letter}`, n.fkey],
      description: `Go to ${n.label}`,
      allowInInput: false,
      run: () => navigate(n.view),
    })),
    // F-keys also work from a text field.
    ...NAV.map((n) => ({ keys: n.fkey, description: `Go to ${n.label}`, allowInInput: true, hidden: true, run: () => navigate(n.view) })),
    { keys: ['?', 'ctrl+/'], description: 'Show or hide keyboard shortcuts (Ctrl+/ also from a text field, where ? is typed)', run: () => setHelp((h) => !h) },
    { keys: 'ctrl+/', description: 'Keyboard shortcuts', allowInInput: true, hidden: true, run: () => setHelp((h) => !h) },
    { keys: 'shift+p', description: 'Raise a PANIC alarm (attaches the camera in focus)', run: () => setPanic({ cameraId: getFocusCamera() }) },
    { keys: 'esc', description: 'Close a dialog or overlay', run: () => false },
  ]);

  const mainRef = useRef<HTMLElement>(null);
  // A clicked navigation link keeps focus, and then Enter and Space go to the
  // link instead of the view. Move focus into the view once it has rendered,
  // unless the view has already focused something of its own.
  const leaveNav = (e: MouseEvent<HTMLAnchorElement>) => {
    const link = e.currentTarget;
    setTimeout(() => {
      const active = document.activeElement;
      if (active === link || active === document.body || active === null) {
        link.blur();
        mainRef.current?.focus({ preventScroll: true });
      }
    }, 0);
  };

  const logout = () => {
    client.logout().catch((err: Error) => toast(err.message, 'error'));
  };

  return (
    <div className="shell">
      <header className="topbar">
        <div className="brand" title="Gatehouse">
          <span className="brand-mark" aria-hidden="true" />
          <span className="brand-name">Gatehouse</span>
        </div>
        <nav className="nav" aria-label="Views">
          {NAV.map((n) => (
            <a
              key={n.view}
              href={`#/${n.view}`}
              className={`nav-item${route.view === n.view ? ' current' : ''}`}
              aria-current={route.view === n.view ? 'page' : undefined}
              data-testid={`nav-${n.view}`}
              title={`${n.label} (g ${n.letter} or ${n.fkey})`}
              onClick={leaveNav}
            >
              {n.label}
              {n.view === 'alarms' && <AlarmCount />}
              <span className="nav-key">{n.fkey}</span>
            </a>
          ))}
        </nav>
        <div className="topbar-right">
          <ArmingBadge />
          <HealthSummary />
          <ConnectionStatus />
          <Clock />
          <span className="user" data-testid="current-user" data-role={user.role}>
            {user.username}
            <span className={`role role-${user.role}`}>{user.role}</span>
          </span>
          <button
            type="button"
            className="btn ghost small"
            onClick={() => setHelp(true)}
            title="Keyboard shortcuts (?)"
            data-testid="shortcuts-button"
          >
            ?
          </button>
          <button type="button" className="btn ghost small" onClick={logout} data-testid="logout">
            Log out
          </button>
        </div>
      </header>
      <ConnectionBanner />
      <AlarmBanner />
      <main className="view" data-view={route.view} tabIndex={-1} ref={mainRef}>
        <View view={route.view} />
      </main>
      {help && <ShortcutsOverlay onClose={() => setHelp(false)} />}
      {panic && <PanicDialog cameraId={panic.cameraId} onClose={() => setPanic(null)} />}
      <AfterSignIn />
    </div>
  );
}
