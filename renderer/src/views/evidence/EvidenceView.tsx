/**
 * Evidence: export jobs (progress, ETA, cancel, verify, download), cases,
 * evidence locks, "Verify an export", and (admins) privacy masks. The tab is
 * kept in the URL (#/evidence?tab=cases). Digits 1–5 switch tabs.
 */
import { useConnection } from '../../api/context.js';
import { useShortcuts } from '../../keyboard/useShortcuts.js';
import { navigate, useRoute } from '../../state/route.js';
import { Tabs, type TabDef } from '../../ui/Tabs.js';
import { CasesView } from './CasesView.js';
import { ExportJobs } from './ExportJobs.js';
import { LocksView } from './LocksView.js';
import { MasksView } from './MasksView.js';
import { VerifyView } from './VerifyView.js';
import './evidence.css';

type TabKey = 'exports' | 'cases' | 'locks' | 'verify' | 'masks';

export function EvidenceView() {
  const { user } = useConnection();
  const route = useRoute();
  const admin = user?.role === 'admin';
  const tabs: TabDef<TabKey>[] = [
    { key: 'exports', label: 'Exports' },
    { key: 'cases', label: 'Cases' },
    { key: 'locks', label: 'Locks' },
    { key: 'verify', label: 'Verify an export' },
    ...(admin ? [{ key: 'masks' as const, label: 'Privacy masks' }] : []),
  ];
  const asked = route.params.tab as TabKey | undefined;
  const tab: TabKey = tabs.some((t) => t.key === asked) ? asked! : 'exports';
  const go = (k: TabKey) => navigate('evidence', k === 'exports' ? {} : { tab: k });
  useShortcuts(
    'Evidence tabs',
    tabs.map((t, i) => ({ keys: String(i + 1), description: `Show ${t.label}`, run: () => go(t.key) })),
  );
  return (
    <div className="evidence-view" data-testid="view-evidence">
      <div className="toolbar">
        <h1>Evidence</h1>
        <Tabs tabs={tabs} current={tab} onChange={go} testId="evidence-tab" />
      </div>
      <div className="evidence-body" role="tabpanel" data-tab={tab}>
        {tab === 'exports' && <ExportJobs />}
        {tab === 'cases' && <CasesView />}
        {tab === 'locks' && <LocksView />}
        {tab === 'verify' && <VerifyView />}
        {tab === 'masks' && admin && <MasksView cameraId={route.params.camera} />}
      </div>
    </div>
  );
}
