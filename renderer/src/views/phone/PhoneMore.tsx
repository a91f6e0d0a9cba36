/**
 * The phone's "More": who is signed in, log out, the account (password,
 * two-factor sign-in), and the certificate's fingerprint to compare with the
 * browser's. The desk's other views (Playback, Cameras, Evidence, the
 * settings an admin edits) are for a desk screen: the phone says so.
 */
import { useConnection } from '../../api/context.js';
import { AccountTab } from '../settings/AccountTab.js';
import { RemoteAccessTab } from '../settings/RemoteAccessTab.js';
import '../settings/settings.css';

const DESK_ONLY: Record<string, string> = { playback: 'Playback', cameras: 'Cameras', evidence: 'Evidence' };

export function PhoneMore({ onLogout, desktopView }: { onLogout: () => void; desktopView: string | null }) {
  const { user } = useConnection();
  return (
    <section className="phone-more" data-testid="view-settings">
      {desktopView && DESK_ONLY[desktopView] && (
        <div className="notice phone-note" data-testid="phone-desk-only">
          <p>{DESK_ONLY[desktopView]} is on the desk console (a wider screen).</p>
          <a className="btn" href="#/alarms">
            Alarms
          </a>{' '}
          <a className="btn" href="#/live">
            Live
          </a>
        </div>
      )}
      <div className="phone-section-head">
        <h1>{user?.username}</h1>
        <span className="muted">{user?.role}</span>
        <span className="spacer" />
        <button type="button" className="btn" onClick={onLogout} data-testid="logout">
          Log out
        </button>
      </div>
      <AccountTab />
      <RemoteAccessTab phone />
    </section>
  );
}
