/**
 * Rules (g r / F7): the alarm rules (trigger → conditions → actions) with
 * their editor and dry run, the arming modes, and the alarm setup that used
 * to live only in config.json (sensors, doors, webhooks, MQTT, notices,
 * procedures). Supervisors read, admins change; `1` `2` `3` switch tabs.
 */
import { roleRank } from '../../../../main/api/contract.js';
import { useConnection } from '../../api/context.js';
import { useShortcuts } from '../../keyboard/useShortcuts.js';
import { navigate, useRoute } from '../../state/route.js';
import { Notice } from '../../ui/Notice.js';
import { Tabs, type TabDef } from '../../ui/Tabs.js';
import { ArmingTab } from './ArmingTab.js';
import { RulesTab } from './RulesTab.js';
import { SetupTab } from './SetupTab.js';
import './rules.css';

type TabKey = 'rules' | 'arming' | 'setup';
const TABS: TabDef<TabKey>[] = [
  { key: 'rules', label: 'Rules' },
  { key: 'arming', label: 'Arming' },
  { key: 'setup', label: 'Alarm setup' },
];

export function RulesView() {
  const { user } = useConnection();
  const route = useRoute();
  const tab: TabKey = TABS.some((t) => t.key === route.params.tab) ? (route.params.tab as TabKey) : 'rules';
  const go = (k: TabKey) => navigate('rules', { tab: k });
  const canRead = !!user && roleRank[user.role] >= roleRank.supervisor;
  useShortcuts('Rules', [
    { keys: ['1', '2', '3'], description: 'Rules, Arming, Alarm setup', display: '1 2 3', run: (e) => go(TABS[Number(e.key) - 1]!.key) },
  ]);
  return (
    <div className="rules-view" data-testid="view-rules">
      <div className="toolbar">
        <h1>Rules</h1>
        <Tabs tabs={TABS} current={tab} onChange={go} testId="rules-tab" />
      </div>
      <div className="rules-body" role="tabpanel" data-tab={tab}>
        {tab === 'arming' ? (
          <ArmingTab />
        ) : !canRead ? (
          <Notice tone="warn">
            Rules and the alarm setup are for supervisors and administrators. The arming mode is under Arming (2).
          </Notice>
        ) : tab === 'rules' ? (
          <RulesTab isAdmin={user!.role === 'admin'} />
        ) : (
          <SetupTab isAdmin={user!.role === 'admin'} />
        )}
      </div>
    </div>
  );
}
