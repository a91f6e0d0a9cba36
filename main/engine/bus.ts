import { EventEmitter } from 'node:events';
import type { EventMap, EventName } from '../api/contract.js';

type Listener<E extends EventName> = (data: EventMap[E]) => void;
type AnyListener = <E extends EventName>(event: E, data: EventMap[E]) => void;

/** The typed event bus: modules publish, transports fan out to consoles. */
export class EventBus {
  private ee = new EventEmitter();
  private any = new Set<AnyListener>();
  constructor() {
    this.ee.setMaxListeners(200);
  }
  emit<E extends EventName>(event: E, data: EventMap[E]): void {
    this.ee.emit(event, data);
    for (const l of this.any) {
      try {
        l(event, data);
      } catch (err) {
        console.error(`event listener for ${event} failed:`, err);
      }
    }
  }
  on<E extends EventName>(event: E, listener: Listener<E>): () => void {
    this.ee.on(event, listener as (d: unknown) => void);
    return () => this.ee.off(event, listener as (d: unknown) => void);
  }
  onAny(listener: AnyListener): () => void {
    this.any.add(listener);
    return () => this.any.delete(listener);
  }
}
