import { describe, expect, it, vi } from 'vitest';
import type { EngineSupervisor } from '../../../main/host/supervisor';

const calls: { drag?: unknown; reveal?: string } = {};
vi.mock('electron', () => ({
  app: { getVersion: () => '1.2.3' },
  dialog: { showOpenDialog: async () => ({ canceled: false, filePaths: ['/music/lib'] }) },
  nativeImage: { createFromPath: (p: string) => ({ icon: p }) },
  shell: { showItemInFolder: (p: string) => (calls.reveal = p) },
  BrowserWindow: { fromWebContents: () => null },
}));

const { electronHostHandlers } = await import('../../../main/app/host-handlers');

/** An engine that grants /lib files (as linked real paths) and refuses the rest. */
const engine = {
  invoke: async (name: string, input: { path: string }) =>
    name === 'media.resolve' && input.path.startsWith('/lib/')
      ? { ok: true, value: { realPath: `/real${input.path}`, size: 1, mimeType: 'audio/wav' } }
      : { ok: false, error: { code: 'forbidden', message: `Not a file in the library: ${input.path}` } },
} as unknown as EngineSupervisor;

describe('Electron host handlers', () => {
  const sender = { startDrag: (item: unknown) => (calls.drag = item) };
  const handlers = electronHostHandlers(sender as never, engine, '/app/resources');

  it('drags out library files by their real paths', async () => {
    await handlers['app.startDrag']({ paths: ['/lib/a.wav', '/lib/b.wav'] });
    expect(calls.drag).toEqual({ file: '/real/lib/a.wav', files: ['/real/lib/a.wav', '/real/lib/b.wav'], icon: { icon: '/app/resources/drag-icon.png' } });
  });

  it('refuses to drag or reveal anything outside the library', async () => {
    calls.drag = undefined;
    await expect(handlers['app.startDrag']({ paths: ['/lib/a.wav', '/etc/passwd'] })).rejects.toMatchObject({ code: 'forbidden' });
    expect(calls.drag).toBeUndefined();
    await expect(handlers['app.reveal']({ path: '/home/me/.ssh/id_rsa' })).rejects.toMatchObject({ code: 'forbidden' });
    expect(calls.reveal).toBeUndefined();
    await handlers['app.reveal']({ path: '/lib/a.wav' });
    expect(calls.reveal).toBe('/lib/a.wav');
  });

  it('chooses folders with the native dialog and reports what it can do', async () => {
    expect(await handlers['app.chooseFolders']({})).toEqual({ paths: ['/music/lib'] });
    expect(await handlers['app.info']({})).toMatchObject({ host: 'electron', version: '1.2.3', can: { chooseFolders: true, reveal: true, dragOut: true } });
  });
});
