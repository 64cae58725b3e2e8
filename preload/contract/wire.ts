import type { Result } from './common';

/**
 * Messages between a host and the engine process, and between the web bridge and the renderer:
 * the same three shapes on every link (MessagePort, WebSocket).
 */
export type WireRequest = { type: 'invoke'; id: number; name: string; input: unknown };
export type WireResponse = { type: 'result'; id: number; result: Result<unknown> };
export type WireEvent = { type: 'event'; name: string; payload: unknown };
export type WireMessage = WireRequest | WireResponse | WireEvent;

/** Electron's IPC channel names between the preload and main; the contract's names travel inside them. */
export const IPC_INVOKE = 'cuebank:invoke';
export const IPC_EVENT = 'cuebank:event';
