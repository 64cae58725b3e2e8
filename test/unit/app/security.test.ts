import { describe, expect, it } from 'vitest';
import { RENDERER_CSP } from '../../../main/app/renderer-policy';
import { denyPermissions, isAppUrl, lockDownContents } from '../../../main/app/security';
import { mainWindowOptions } from '../../../main/app/window-options';

describe('the main window', () => {
  it('runs the renderer isolated, sandboxed and without Node.js', () => {
    const prefs = mainWindowOptions('/app/dist/preload.cjs').webPreferences!;
    expect(prefs).toMatchObject({
      preload: '/app/dist/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('serves pages with a strict CSP: own scripts only, no eval, no inline script, no framing', () => {
    const directives = Object.fromEntries(RENDERER_CSP.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
    expect(directives['default-src']).toEqual(["'none'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['style-src']).toEqual(["'self'"]);
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(directives['base-uri']).toEqual(["'none'"]);
    expect(directives['media-src']).toEqual(["'self'", 'cuebank-media:']);
    expect(RENDERER_CSP).not.toMatch(/unsafe-(inline|eval)/);
  });
});

describe('session and contents hardening', () => {
  it('denies every permission request and check', () => {
    const handlers: Record<string, (...a: unknown[]) => unknown> = {};
    denyPermissions({
      setPermissionRequestHandler: (h: never) => void (handlers.request = h),
      setPermissionCheckHandler: (h: never) => void (handlers.check = h),
      setDevicePermissionHandler: (h: never) => void (handlers.device = h),
    } as never);
    let granted: boolean | undefined;
    handlers.request({}, 'media', (ok: boolean) => (granted = ok));
    expect(granted).toBe(false);
    expect(handlers.check({}, 'notifications')).toBe(false);
    expect(handlers.device({})).toBe(false);
  });

  it('blocks navigation away from the app, new windows and webviews', () => {
    const listeners: Record<string, (event: { preventDefault(): void }, url?: string) => void> = {};
    let openHandler: (() => { action: string }) | undefined;
    lockDownContents({
      on: (name: string, l: never) => void (listeners[name] = l),
      setWindowOpenHandler: (h: never) => void (openHandler = h),
    } as never);
    const attempt = (name: string, url?: string) => {
      let prevented = false;
      listeners[name]({ preventDefault: () => (prevented = true) }, url);
      return prevented;
    };
    expect(attempt('will-navigate', 'https://example.com/')).toBe(true);
    expect(attempt('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(attempt('will-navigate', 'cuebank://app/index.html')).toBe(false);
    expect(attempt('will-redirect', 'http://127.0.0.1:1/')).toBe(true);
    expect(attempt('will-attach-webview')).toBe(true);
    expect(openHandler!()).toEqual({ action: 'deny' });
    expect(isAppUrl('cuebank://app.evil.com/')).toBe(false);
  });
});
