import { useConnection } from '../../api/context.js';
import { useShortcuts } from '../../keyboard/useShortcuts.js';
import { navigate, useRoute } from '../../state/route.js';
import { Tabs, type TabDef } from '../../ui/Tabs.js';
import { AboutTab } from './AboutTab.js';
import { AccountTab } from './AccountTab.js';
import { ConsoleTab } from './ConsoleTab.js';
import { GeneralTab } from './GeneralTab.js';
import { NotificationsTab } from './NotificationsTab.js';
import { OnCallTab } from './OnCallTab.js';
import { RemoteAccessTab } from './RemoteAccessTab.js';
import { StorageTab } from './StorageTab.js';
import { UsersTab } from './UsersTab.js';
import { ExportKeyTab } from '../evidence/ExportKeyTab.js';
import './settings.css';

type TabKey = 'general' | 'storage' | 'users' | 'notifications' | 'oncall' | 'console' | 'account' | 'remote' | 'export-key' | 'about';

/** Settings: General, Storage, Users (admin), Notifications, On call (supervisor), This console, Account, Remote access, About. The tab is kept in the URL. */
export function SettingsView() {
  const { user } = useConnection();
  const route = useRoute();
  const isAdmin = user?.role === 'admin';
  const tabs: TabDef<TabKey>[] = [
    { key: 'general', label: 'General' },
    { key: 'storage', label: 'Storage' },
    ...(isAdmin ? [{ key: 'users' as const, label: 'Users' }] : []),
    { key: 'notifications', label: 'Notifications' },
    ...(user?.role === 'supervisor' || isAdmin ? [{ key: 'oncall' as const, label: 'On call' }] : []),
    { key: 'console', label: 'This console' },
    { key: 'account', label: 'Account' },
    { key: 'remote', label: 'Remote access' },
    { key: 'export-key', label: 'Export key' },
    { key: 'about', label: 'About' },
  ];
  const requested = route.params.tab as TabKey | undefined;
  const tab: TabKey = tabs.some((t) => t.key === requested) ? requested! : 'general';
  const go = (k: TabKey) => navigate('settings', { tab: k });
  const step = (d: number) => {
    const i = tabs.findIndex((t) => t.key === tab);
    go(tabs[(i + d + tabs.length) % tabs.length]!.key);
  };
  useShortcuts('Settings', [
    { keys: ']', description: 'Next tab', run: () => step(1) },
    { keys: '[', description: 'Previous tab', run: () => step(-1) },
  ]);

  return (
    <div className="settings-view" data-testid="view-settings">
      <div className="toolbar">
        <h1>Settings</h1>
        <Tabs tabs={tabs} current={tab} onChange={go} testId="settings-tab" />
      </div>
      <div className="settings-body" role="tabpanel" data-tab={tab}>
        {tab === 'general' && <GeneralTab />}
        {tab === 'storage' && <StorageTab />}
        {tab === 'users' && isAdmin && <UsersTab />}
        {tab === 'notifications' && <NotificationsTab />}
        {tab === 'oncall' && <OnCallTab />}
        {tab === 'console' && <ConsoleTab />}
        {tab === 'account' && <AccountTab />}
        {tab === 'remote' && <RemoteAccessTab />}
        {tab === 'export-key' && <ExportKeyTab />}
        {tab === 'about' && <AboutTab />}
      </div>
    </div>
  );
}
