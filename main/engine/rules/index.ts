/**
 * The rules module: zone and software-motion events from the detection
 * concern into the alarm intake (through the dwell stream, so a rule's own
 * dwell time fires while the object is still inside), a rule's actions
 * after a match, the dry run, and `rules.changed` when the list changes
 * (console, CLI or a file edit).
 *
 * The decision itself is the alarm intake's (alarms/service.ts → match.ts):
 * every source, old and new, goes through one matcher.
 */
import { ApiError } from '../../api/contract.js';
import type { EventMap } from '../../api/contract.js';
import type { DryRunResult, Rule } from '../../api/rules.js';
import type { AlarmIntake } from '../alarms/intake.js';
import type { RuleMatch } from '../alarms/service.js';
import type { EventBus } from '../bus.js';
import { alarmSetupOf, rulesOf } from '../config/schema.js';
import type { ConfigStore } from '../config/store.js';
import { logger } from '../log.js';
import type { EngineModule } from '../module.js';
import type { Db } from '../store/db.js';
import { ActionRunner, type ActionPorts } from './actions.js';
import { dryRun } from './dry-run.js';
import { motionSourceEvent, zoneSourceEvent } from './events.js';
import { dwellThresholds } from './match.js';
import { placeRule } from './store.js';
import { DwellStream, type StreamZoneEvent } from './stream.js';

const log = logger('rules');
/** Longest range a dry run may look at. */
export const MAX_DRY_RUN_MS = 31 * 86_400_000;

export interface RulesDeps {
  /** The index connection (reads for the dry run). */
  db: Db;
  bus: EventBus;
  config: ConfigStore;
  alarms: AlarmIntake;
  timeZone: () => string;
  /** The arming mode at any time up to `toMs` (arming_changes). */
  modeTimeline: (toMs: number) => (ms: number) => string;
  cameraName: (id: string) => string | null;
  ports: () => ActionPorts | null;
  now?: () => number;
}

export class RulesModule implements EngineModule {
  readonly name = 'rules';
  readonly stream: DwellStream;
  private readonly runner: ActionRunner;
  private offs: (() => void)[] = [];
  private timer: NodeJS.Timeout | null = null;
  private timerDue: number | null = null;
  private now: () => number;

  constructor(private readonly d: RulesDeps) {
    this.now = d.now ?? Date.now;
    this.stream = new DwellStream((z) => dwellThresholds(this.rules(), z));
    this.runner = new ActionRunner(d.ports);
  }

  rules(): Rule[] {
    return rulesOf(this.d.config.data);
  }

  private camName(id: string): string {
    return this.d.cameraName(id) ?? id;
  }

  private ingestZone(events: StreamZoneEvent[]): void {
    for (const z of events) {
      if (z.phase === 'leave') continue;
      try {
        this.d.alarms.ingest(zoneSourceEvent(z, this.camName(z.cameraId)));
      } catch (err) {
        log.error(`a zone event on ${z.cameraId} could not go through the rules`, err);
      }
    }
  }

  private onZone(z: EventMap['detection.zone']): void {
    if (!z || typeof z.cameraId !== 'string' || typeof z.time !== 'string') return;
    this.ingestZone(this.stream.feed(z));
    this.arm();
  }

  private onMotion(m: EventMap['detection.motion']): void {
    if (!m || typeof m.cameraId !== 'string' || m.phase !== 'start') return;
    this.ingestZone(this.stream.advance(Date.parse(m.time)));
    try {
      this.d.alarms.ingest(motionSourceEvent(m, this.camName(m.cameraId)));
    } catch (err) {
      log.error(`a motion event on ${m.cameraId} could not go through the rules`, err);
    }
  }

  /** A timer at the next rule dwell time of an object still inside a zone. */
  private arm(): void {
    const due = this.stream.nextDue();
    if (due === null || (this.timer && this.timerDue !== null && this.timerDue <= due)) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.timerDue = null;
        this.ingestZone(this.stream.advance(this.now()));
        this.arm();
      },
      Math.max(0, due - this.now()),
    );
    this.timer.unref();
  }

  /** A rule decided an event (from the alarm intake): its other actions, and the consoles hear of it. */
  onMatch(m: RuleMatch): void {
    this.runner.run(m);
    const r = m.result;
    this.d.bus.emit('rules.matched', {
      ruleId: m.rule.id,
      time: new Date(m.event.time).toISOString(),
      cameraId: m.event.cameraIds[0] ?? null,
      outcome: r.outcome === 'resolved' ? 'logged' : r.outcome,
      alarm:
        (r.outcome === 'raised' || r.outcome === 'coalesced') && r.alarm
          ? { id: r.alarm.id, priority: r.alarm.priority, title: r.alarm.title }
          : null,
    });
  }

  /** What `rule` (saved, or a validated draft) would have done over [from, to). */
  dryRun(rule: Rule, fromMs: number, toMs: number, limit: number): DryRunResult {
    if (!(toMs > fromMs)) throw new ApiError('bad_request', 'the range is empty: "from" must be before "to"', 'from');
    if (toMs - fromMs > MAX_DRY_RUN_MS) throw new ApiError('bad_request', 'a dry run looks at 31 days at most; shorten the range', 'from');
    const cfg = this.d.config.data;
    const started = Date.now();
    const r = dryRun({
      db: this.d.db,
      rules: placeRule(rulesOf(cfg), rule),
      rule,
      setup: alarmSetupOf(cfg),
      cameraName: (id) => this.d.cameraName(id),
      timeZone: this.d.timeZone(),
      modeAt: this.d.modeTimeline(toMs),
      fromMs,
      toMs,
      limit,
    });
    log.debug(`dry run of ${rule.id}: ${r.scanned} records, ${r.matched} matches, ${r.alarms} alarms in ${Date.now() - started} ms`);
    return r;
  }

  start(): void {
    if (this.offs.length) return;
    let rulesKey = JSON.stringify(this.rules());
    this.offs = [
      this.d.bus.on('detection.zone', (z) => this.onZone(z)),
      this.d.bus.on('detection.motion', (m) => this.onMotion(m)),
      this.d.config.onChange(() => {
        const rules = this.rules();
        const key = JSON.stringify(rules);
        if (key === rulesKey) return;
        rulesKey = key;
        log.info(`rules changed: ${rules.length} rule(s), ${rules.filter((r) => r.enabled).length} enabled`);
        this.d.bus.emit('rules.changed', { rules });
      }),
    ];
  }

  stop(): void {
    for (const off of this.offs) off();
    this.offs = [];
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerDue = null;
    this.runner.stop();
    this.stream.clear();
  }
}
