import { roleRank } from '../../../../main/api/contract.js';
import { useConnection } from '../../api/context.js';
import { useShortcuts } from '../../keyboard/useShortcuts.js';
import { navigate, useRoute } from '../../state/route.js';
import { Tabs, type TabDef } from '../../ui/Tabs.js';
import { AccessLogView } from './AccessLogView.js';
import { AlarmQueue } from './AlarmQueue.js';
import { AuditView } from './AuditView.js';
import { HistoryView } from './HistoryView.js';
import './alarms.css';

type TabKey = 'queue' | 'history' | 'access' | 'audit';

/**
 * The Alarms view: the live queue (keyboard-driven guard workflow), the
 * searchable history, the access-control log and, for supervisors, the
 * audit trail. Contract with the shell: `AlarmsView`, no props.
 */
export function AlarmsView() {
  const conn = useConnection();
  const route = useRoute();
  const supervisor = roleRank[conn.user!.role] >= roleRank.supervisor;
  const tabs: TabDef<TabKey>[] = [
    { key: 'queue', label: 'Queue' },
    { key: 'history', label: 'History' },
    { key: 'access', label: 'Access log' },
    ...(supervisor ? [{ key: 'audit' as const, label: 'Audit' }] : []),
  ];
  const asked = route.params.tab as TabKey | undefined;
  const tab: TabKey = tabs.some((t) => t.key === asked) ? asked! : 'queue';
  const go = (k: TabKey) => navigate('alarms', k === 'queue' ? {} : { tab: k });
  useShortcuts(
    'Alarms tabs',
    tabs.map((t, i) => ({ keys: String(i + 1), description: `Show ${t.label}`, run: () => go(t.key) })),
  );
  return (
    <div className="alarms-view" data-testid="view-alarms">
      <div className="alarms-tabs">
        <Tabs tabs={tabs} current={tab} onChange={go} testId="alarms-tabs" />
      </div>
      <div className="alarms-tab-body">
        {tab === 'queue' && <AlarmQueue />}
        {tab === 'history' && <HistoryView />}
        {tab === 'access' && <AccessLogView />}
        {tab === 'audit' && supervisor && <AuditView />}
      </div>
    </div>
  );
}
