/**
 * A camera's detection setup (Cameras → a camera → Detection, `D` on the
 * camera list): settings and live counters, zones, and the three kinds of
 * masks, each drawn over a live snapshot with the one polygon editor. The
 * tab is in the URL (#/cameras?detection=<camera>&tab=zones); digits 1–5
 * switch tabs, Esc goes back to the camera list. Admins edit; others see the
 * settings and counters.
 */
import type { MaskKind } from '../../../../main/api/masks.js';
import { useConnection } from '../../api/context.js';
import { useShortcuts } from '../../keyboard/useShortcuts.js';
import { useCameras } from '../../state/cameras.js';
import { navigate } from '../../state/route.js';
import { Tabs, type TabDef } from '../../ui/Tabs.js';
import { DetectionSettingsForm } from './DetectionSettingsForm.js';
import { MASK_TEXT, MasksEditor } from './MasksEditor.js';
import { useDetectionStatus } from './useDetectionStatus.js';
import { ZonesEditor } from './ZonesEditor.js';
import './detection.css';

type TabKey = 'settings' | 'zones' | 'motion' | 'object' | 'privacy';

export function DetectionPage({ cameraId, tab: asked }: { cameraId: string; tab?: string }) {
  const { user } = useConnection();
  const isAdmin = user?.role === 'admin';
  const { cameras } = useCameras();
  const cam = cameras.find((c) => c.id === cameraId);
  const { byCamera } = useDetectionStatus(true);
  const tabs: TabDef<TabKey>[] = [
    { key: 'settings', label: 'Settings' },
    ...(isAdmin
      ? ([
          { key: 'zones', label: 'Zones' },
          { key: 'motion', label: MASK_TEXT.motion.title },
          { key: 'object', label: MASK_TEXT.object.title },
          { key: 'privacy', label: MASK_TEXT.privacy.title },
        ] as TabDef<TabKey>[])
      : []),
  ];
  const tab: TabKey = tabs.some((t) => t.key === asked) ? (asked as TabKey) : 'settings';
  const go = (k: TabKey) => navigate('cameras', { detection: cameraId, ...(k === 'settings' ? {} : { tab: k }) });
  useShortcuts('Camera detection', [
    ...tabs.map((t, i) => ({ keys: String(i + 1), description: `Show ${t.label}`, run: () => go(t.key) })),
    { keys: 'esc', description: 'Back to the camera list', run: () => navigate('cameras', { id: cameraId }) },
    {
      keys: ['[', ']'],
      description: 'Previous / next camera',
      hidden: tab !== 'settings',
      run: (e) => {
        if (tab !== 'settings') return false;
        const i = cameras.findIndex((c) => c.id === cameraId);
        const next = cameras[(i + (e.key === '[' ? -1 : 1) + cameras.length) % cameras.length];
        if (next) navigate('cameras', { detection: next.id });
      },
    },
  ]);
  if (!cam) return <div className="empty muted">No camera “{cameraId}”.</div>;
  return (
    <div className="detection-page" data-testid="detection-page" data-camera={cam.id} data-tab={tab}>
      <div className="toolbar">
        <button type="button" className="btn ghost small" onClick={() => navigate('cameras', { id: cam.id })} title="Back to the camera list (Esc)">
          ← Cameras
        </button>
        <h1>
          {cam.name} · Detection
        </h1>
        <Tabs tabs={tabs} current={tab} onChange={go} testId="detection-tab" />
      </div>
      <div className="detection-body" role="tabpanel" data-tab={tab}>
        {tab === 'settings' && <DetectionSettingsForm camera={cam} status={byCamera.get(cam.id)} isAdmin={isAdmin} />}
        {tab === 'zones' && <ZonesEditor camera={cam} />}
        {(tab === 'motion' || tab === 'object' || tab === 'privacy') && <MasksEditor key={tab} camera={cam} kind={tab as MaskKind} />}
      </div>
    </div>
  );
}
