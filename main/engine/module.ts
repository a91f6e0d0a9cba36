/** A part of the engine with an explicit lifecycle. Stop must be idempotent. */
export interface EngineModule {
  readonly name: string;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}
