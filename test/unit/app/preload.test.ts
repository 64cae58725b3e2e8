import { beforeAll, describe, expect, it, vi } from 'vitest';

/** The preload under a stand-in electron module: what it exposes and what it lets through. */
const exposed: Record<string, unknown> = {};
const ipcListeners = new Map<string, Set<(...a: unknown[]) => void>>();
const invoked: unknown[][] = [];
let dropHandler: ((e: unknown) => void) | undefined;

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
  ipcRenderer: {
    invoke: async (...args: unknown[]) => {
      invoked.push(args);
      return { ok: true, value: 'from main' };
    },
    on: (channel: string, l: (...a: unknown[]) => void) => {
      if (!ipcListeners.has(channel)) ipcListeners.set(channel, new Set());
      ipcListeners.get(channel)!.add(l);
    },
    removeListener: (channel: string, l: (...a: unknown[]) => void) => ipcListeners.get(channel)?.delete(l),
  },
  webUtils: { getPathForFile: (f: { fake: string }) => f.fake },
}));

type Api = { invoke(name: unknown, input?: unknown): Promise<unknown>; on(event: unknown, l: unknown): () => void };

describe('preload', () => {
  let api: Api;
  beforeAll(async () => {
    (globalThis as { window?: unknown }).window = { addEventListener: (type: string, l: (e: unknown) => void) => type === 'drop' && (dropHandler = l) };
    await import('../../../preload/index');
    api = exposed.cuebank as Api;
  });

  it('exposes exactly one object, window.cuebank = { invoke, on }', () => {
    expect(Object.keys(exposed)).toEqual(['cuebank']);
    expect(Object.keys(api).sort()).toEqual(['invoke', 'on']);
  });

  it('forwards contract channels to main and refuses anything else without asking main', async () => {
    expect(await api.invoke('library.stats', {})).toEqual({ ok: true, value: 'from main' });
    expect(invoked).toEqual([['cuebank:invoke', 'library.stats', {}]]);
    for (const bad of ['fs.readFile', '__proto__', 42, 'toString']) {
      expect(await api.invoke(bad, {})).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    }
    expect(invoked).toHaveLength(1);
  });

  it('subscribes only to contract events, and every subscription returns its undo', () => {
    const seen: unknown[] = [];
    const off = api.on('jobs.update', (p: unknown) => seen.push(p));
    const [listener] = ipcListeners.get('cuebank:event')!;
    listener({}, 'jobs.update', { type: 'queued' });
    listener({}, 'engine.status', { state: 'ready' });
    expect(seen).toEqual([{ type: 'queued' }]);
    off();
    expect(ipcListeners.get('cuebank:event')!.size).toBe(0);
    expect(() => api.on('ipc.anything', () => undefined)).toThrow(/Unknown event/);
  });

  it('resolves dropped files to their paths and delivers them as app.dropped', async () => {
    const drops: unknown[] = [];
    const off = api.on('app.dropped', (p: unknown) => drops.push(p));
    dropHandler!({ dataTransfer: { files: [{ fake: '/lib/a.wav' }, { fake: '/lib/b' }] } });
    await new Promise((r) => setTimeout(r, 5));
    expect(drops).toEqual([{ paths: ['/lib/a.wav', '/lib/b'] }]);
    off();
    dropHandler!({ dataTransfer: { files: [{ fake: '/lib/c.wav' }] } });
    await new Promise((r) => setTimeout(r, 5));
    expect(drops).toHaveLength(1);
  });
});
