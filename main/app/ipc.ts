import { BrowserWindow, ipcMain, type WebContents } from 'electron';
import { IPC_EVENT, IPC_INVOKE } from '../../preload/contract';
import { routeInvoke, type HostHandlers } from '../host/router';
import type { EngineSupervisor } from '../host/supervisor';
import { isAppUrl } from './security';

/**
 * Routes every renderer request through the contract (validated in routeInvoke) and pushes
 * engine events to every window. Requests from frames that are not the app's own are refused.
 * Returns the function that undoes the registration.
 */
export function registerIpc(engine: EngineSupervisor, hostFor: (sender: WebContents) => HostHandlers): () => void {
  ipcMain.handle(IPC_INVOKE, async (event, name: unknown, input: unknown) => {
    if (!event.senderFrame || !isAppUrl(event.senderFrame.url)) {
      return { ok: false, error: { code: 'forbidden', message: 'Requests are accepted from the Cuebank window only' } };
    }
    return routeInvoke(name, input, hostFor(event.sender), engine);
  });
  const off = engine.onEvent((name, payload) => {
    for (const win of BrowserWindow.getAllWindows()) if (!win.isDestroyed()) win.webContents.send(IPC_EVENT, name, payload);
  });
  return () => {
    ipcMain.removeHandler(IPC_INVOKE);
    off();
  };
}
