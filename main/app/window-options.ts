import type { BrowserWindowConstructorOptions } from 'electron';

/**
 * The main window's options. The renderer is untrusted: it runs sandboxed, isolated from the
 * preload's world, with no Node.js, and reaches the app only through `window.cuebank`.
 */
export function mainWindowOptions(preload: string): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 800,
    minWidth: 900,
    minHeight: 560,
    show: false,
    backgroundColor: '#15171a',
    title: 'Cuebank',
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  };
}
