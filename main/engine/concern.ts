/**
 * How a concern plugs into the engine. Every concern (auth, cameras,
 * recording, alarms, ONVIF, …) exports one factory from its folder's
 * `handlers.ts`:
 *
 *   export function camerasConcern(d: { cameras: CameraRegistry; … }): Concern
 *
 * It takes the services it needs (never the Engine itself) and returns its
 * request handlers and, when it has a lifecycle, its EngineModule. The
 * engine (engine.ts) calls each factory once in start() and registers what
 * comes back; see docs/architecture.md, "Adding an engine concern".
 *
 * This file is what concerns import from the engine: the handler types and
 * the call context. It imports no concern, so no concern imports its host.
 */
import type { Me, Method, parseParams, ResultOf } from '../api/contract.js';
import type { EngineModule } from './module.js';

/** Who is calling: resolved by the transport from its cookie, bearer token or IPC session. */
export interface CallContext {
  token?: string | null;
  /** Client address or "ipc", for rate limits and the log. */
  peer: string;
}

/** One request handler: validated params in, the contract's result out. `me` is null only for role-less requests. */
export type Handler<M extends Method> = (
  params: ReturnType<typeof parseParams<M>>,
  ctx: CallContext,
  me: Me | null,
) => Promise<ResultOf<M>> | ResultOf<M>;

/** Request handlers by method; each concern contributes a part. */
export type Handlers = { [M in Method]: Handler<M> };

/** A finished call, as the call hooks (the audit trail) hear of it. */
export interface CallInfo {
  method: string;
  params: unknown;
  me: Me | null;
  peer: string;
  result?: unknown;
  error?: unknown;
}

/** Register for every finished call; returns the unregister. */
export type OnCall = (fn: (c: CallInfo) => void) => () => void;

/** What a concern's factory returns. */
export interface Concern<M extends EngineModule = EngineModule> {
  /** Its lifecycle part: started in registration order, stopped in reverse. */
  module?: M;
  /** The requests it answers (each method is answered by exactly one concern). */
  handlers: Partial<Handlers>;
}

/** A concern that always has a module (so the engine can keep a typed reference to it). */
export type ModuleConcern<M extends EngineModule> = Concern<M> & { module: M };
