/**
 * Electron main: windows, protocols, dialogs, drag-out and the IPC router, nothing more. The
 * engine runs in a utility process that main starts and restarts after a crash.
 */
import { app, BrowserWindow, session } from 'electron';
import path from 'node:path';
import { EngineSupervisor } from '../host/supervisor';
import { appRoot } from '../host/static-files';
import { utilityEngine } from './engine-process';
import { engineSecretKey } from './secret-key';
import { electronHostHandlers } from './host-handlers';
import { registerIpc } from './ipc';
import { handleProtocols, registerSchemes } from './protocols';
import { APP_ORIGIN, denyPermissions, lockDownContents } from './security';
import { mainWindowOptions } from './window-options';

registerSchemes();
app.enableSandbox();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  void app.whenReady().then(start);
}

function start(): void {
  const root = app.isPackaged ? app.getAppPath() : appRoot(import.meta.dirname);
  const userData = app.getPath('userData');
  // The workspace and models folder; --db / --models switch to another (as the CLI and bridge take).
  const config = {
    dbPath: path.resolve(app.commandLine.getSwitchValue('db') || path.join(userData, 'workspace.db')),
    modelsDir: path.resolve(app.commandLine.getSwitchValue('models') || path.join(userData, 'models')),
  };

  denyPermissions(session.defaultSession);
  app.on('web-contents-created', (_event, contents) => lockDownContents(contents));

  const engine = new EngineSupervisor(utilityEngine(config, engineSecretKey(userData)));
  engine.start();
  handleProtocols(session.defaultSession, path.join(root, 'dist', 'renderer'), engine);
  registerIpc(engine, (sender) => electronHostHandlers(sender, engine, path.join(root, 'resources')));

  const open = () => {
    const win = new BrowserWindow(mainWindowOptions(path.join(import.meta.dirname, 'preload.cjs')));
    win.once('ready-to-show', () => win.show());
    void win.loadURL(`${APP_ORIGIN}/index.html`);
  };
  open();
  app.on('second-instance', () => BrowserWindow.getAllWindows()[0]?.focus());
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) open();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') void engine.stop().finally(() => app.quit());
  });
}
