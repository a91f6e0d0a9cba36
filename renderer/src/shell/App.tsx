import { useConnection } from '../api/context.js';
import { CamerasProvider } from '../state/cameras.js';
import { SettingsProvider } from '../state/settings.js';
import { ToastProvider } from '../ui/toast.js';
import { ConnectionStatus } from './ConnectionStatus.js';
import { Login } from './Login.js';
import { Shell } from './Shell.js';

/** Connecting splash → login → the console. */
export function App() {
  const conn = useConnection();
  if (!conn.hello) {
    return (
      <div className="splash" data-testid="splash">
        <div className="brand-big">Gatehouse</div>
        <ConnectionStatus />
        {conn.lastError && <p className="muted">{conn.lastError}. Retrying on its own.</p>}
      </div>
    );
  }
  if (!conn.user) return <Login />;
  return (
    <ToastProvider>
      <SettingsProvider>
        <CamerasProvider>
          <Shell key={conn.user.username} />
        </CamerasProvider>
      </SettingsProvider>
    </ToastProvider>
  );
}
