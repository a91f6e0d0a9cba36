import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Settings } from '../../../main/api/contract.js';
import { useClient, useEvent, useReconnect } from '../api/context.js';
import { browserTimeZone, isValidTimeZone } from '../time/index.js';

export interface SettingsState {
  settings: Settings | null;
  error: Error | null;
  reload: () => void;
  /** Zone every time in the console is shown in: the configured one, else this computer's. */
  timeZone: string;
  /** True when no zone is configured and the browser's is used. */
  timeZoneIsLocal: boolean;
}

const Ctx = createContext<SettingsState | null>(null);

/** Engine settings (settings.get, kept fresh by settings.changed), shared by every view. */
export function SettingsProvider({ children }: { children: ReactNode }) {
  const client = useClient();
  const [settings, setSettings] = useState<Settings | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const reload = useCallback(() => {
    client.call('settings.get', {}).then(
      (s) => {
        setSettings(s);
        setError(null);
      },
      (e: Error) => setError(e),
    );
  }, [client]);
  useEffect(reload, [reload]);
  useReconnect(reload);
  useEvent('settings.changed', (s) => setSettings(s));
  const value = useMemo<SettingsState>(() => {
    const configured = settings?.timeZone && isValidTimeZone(settings.timeZone) ? settings.timeZone : null;
    return { settings, error, reload, timeZone: configured ?? browserTimeZone(), timeZoneIsLocal: !configured };
  }, [settings, error, reload]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useSettings(): SettingsState {
  const v = useContext(Ctx);
  if (!v) throw new Error('useSettings() outside <SettingsProvider>');
  return v;
}

/** The console's display time zone (IANA name). */
export function useTimeZone(): string {
  return useSettings().timeZone;
}
