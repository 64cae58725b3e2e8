/// <reference lib="dom" />
/**
 * The preload: the renderer's only door to the app. It exposes exactly one object,
 * `window.cuebank = { invoke, on }`, accepting only contract names; results come back as values.
 * Dropped files' paths are resolved here (a sandboxed page cannot) and delivered as the
 * 'app.dropped' event.
 */
import './contract/zod-jitless';
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { channels, events, IPC_EVENT, IPC_INVOKE } from './contract';

const channelNames = new Set(Object.keys(channels));
const eventNames = new Set(Object.keys(events));
const droppedListeners = new Set<(payload: { paths: string[] }) => void>();

function invoke(name: unknown, input?: unknown): Promise<unknown> {
  if (typeof name !== 'string' || !channelNames.has(name)) {
    return Promise.resolve({ ok: false, error: { code: 'invalid_input', message: `Unknown channel: ${String(name)}` } });
  }
  return ipcRenderer.invoke(IPC_INVOKE, name, input ?? {});
}

function on(event: unknown, listener: unknown): () => void {
  if (typeof event !== 'string' || !eventNames.has(event) || typeof listener !== 'function') {
    throw new TypeError(`Unknown event: ${String(event)}`);
  }
  const deliver = listener as (payload: unknown) => void;
  if (event === 'app.dropped') {
    droppedListeners.add(deliver);
    return () => droppedListeners.delete(deliver);
  }
  const handler = (_e: unknown, name: string, payload: unknown) => {
    if (name === event) deliver(payload);
  };
  ipcRenderer.on(IPC_EVENT, handler);
  return () => ipcRenderer.removeListener(IPC_EVENT, handler);
}

window.addEventListener(
  'drop',
  (e) => {
    const files = Array.from(e.dataTransfer?.files ?? []);
    const paths = files.map((f) => webUtils.getPathForFile(f)).filter(Boolean);
    // After the page's own drop handler has seen where the drop landed.
    if (paths.length) setTimeout(() => droppedListeners.forEach((l) => l({ paths })), 0);
  },
  true,
);

contextBridge.exposeInMainWorld('cuebank', { invoke, on });
