import { app, dialog, nativeImage, shell, BrowserWindow, type WebContents } from 'electron';
import path from 'node:path';
import type { MediaGrant } from '../../preload/contract';
import type { HostHandlers } from '../host/router';
import type { EngineSupervisor } from '../host/supervisor';

/**
 * What Electron main answers itself for one window. Paths the renderer names are untrusted:
 * revealing and dragging out go through the engine's media grant first (library files only),
 * and drag-out hands the operating system the file's real path.
 */
export function electronHostHandlers(sender: WebContents, engine: EngineSupervisor, resourcesDir: string): HostHandlers {
  const grant = async (p: string): Promise<MediaGrant> => {
    const result = await engine.invoke('media.resolve', { path: p });
    if (!result.ok) throw result.error;
    return result.value as MediaGrant;
  };
  return {
    'app.info': async () => ({
      host: 'electron',
      platform: process.platform,
      version: app.getVersion(),
      can: { chooseFolders: true, reveal: true, dragOut: true },
    }),
    'app.chooseFolders': async () => {
      const win = BrowserWindow.fromWebContents(sender);
      const options = { title: 'Add library folders', properties: ['openDirectory', 'multiSelections'] as ('openDirectory' | 'multiSelections')[] };
      const chosen = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      return { paths: chosen.canceled ? [] : chosen.filePaths };
    },
    'app.reveal': async (input) => {
      const { path: p } = input as { path: string };
      await grant(p);
      shell.showItemInFolder(p);
      return {};
    },
    'app.startDrag': async (input) => {
      const { paths } = input as { paths: string[] };
      const files = await Promise.all(paths.map(async (p) => (await grant(p)).realPath));
      sender.startDrag({ file: files[0], files, icon: nativeImage.createFromPath(path.join(resourcesDir, 'drag-icon.png')) });
      return {};
    },
  };
}
