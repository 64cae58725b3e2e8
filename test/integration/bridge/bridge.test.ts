import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channels } from '../../../preload/contract';
import type { Bridge } from '../../../main/bridge/server';
import { writeFixtures, type FixtureSet } from '../../fixtures';
import { BridgeClient, startTestBridge, type TestBridge } from '../../helpers/bridge';
import { tempDir } from '../../helpers/tmp';

describe('web bridge', () => {
  let tmp: { dir: string; cleanup: () => void };
  let fx: FixtureSet;
  let bridge: Bridge;
  let client: BridgeClient;
  let rendererDir: string;
  let app: TestBridge;

  beforeAll(async () => {
    tmp = tempDir();
    fx = writeFixtures(path.join(tmp.dir, 'fx'));
    app = await startTestBridge(tmp.dir, { dbPath: path.join(tmp.dir, 'w.db'), modelsDir: fx.modelsDir });
    ({ bridge, client, rendererDir } = app);
    await client.index([fx.libraryDir]);
  });

  afterAll(async () => {
    await app?.close();
    tmp?.cleanup();
  });

  const get = (url: string, headers: Record<string, string> = {}) => fetch(url, { headers, redirect: 'manual' });

  it('binds 127.0.0.1 and hands out an address with a random token', () => {
    expect(bridge.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${bridge.port}/\\?token=[A-Za-z0-9_-]{24,}$`));
  });

  it('refuses requests without the token, with a wrong one, or for another host', async () => {
    const base = `http://127.0.0.1:${bridge.port}`;
    expect((await get(`${base}/`)).status).toBe(403);
    expect((await get(`${base}/?token=wrong`)).status).toBe(403);
    expect((await get(`${base}/media?path=${encodeURIComponent(path.join(fx.libraryDir, fx.library[0].file))}`)).status).toBe(403);
    // fetch cannot set Host; a raw request can, as a DNS-rebinding page's would arrive.
    const rebound = await new Promise<number>((resolve, reject) =>
      http.get(bridge.url, { headers: { Host: 'evil.example' } }, (res) => resolve(res.statusCode ?? 0)).on('error', reject),
    );
    expect(rebound).toBe(403);
    await expect(BridgeClient.connect(bridge.port, null)).rejects.toThrow(/403/);
    await expect(BridgeClient.connect(bridge.port, 'wrong')).rejects.toThrow(/403/);
    await expect(BridgeClient.connect(bridge.port, bridge.token, { Origin: 'https://evil.example' })).rejects.toThrow(/403/);
  });

  it('serves the renderer with the token, sets a strict cookie, and a CSP', async () => {
    const res = await get(bridge.url);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<title>Cuebank</title>');
    expect(res.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    // The page may open its WebSocket to this bridge and nowhere else.
    expect(res.headers.get('content-security-policy')).toContain(`connect-src 'self' ws://127.0.0.1:${bridge.port} ws://localhost:${bridge.port};`);
    const cookie = res.headers.get('set-cookie')!.split(';')[0];
    expect((await get(`http://127.0.0.1:${bridge.port}/index.html`, { Cookie: cookie })).status).toBe(200);
    // A page loaded by the cookie alone (no ?token= left in its address) still reaches the engine.
    const byCookie = await BridgeClient.connect(bridge.port, null, { Cookie: cookie });
    expect(await byCookie.invoke('app.info', {})).toMatchObject({ ok: true, value: { host: 'bridge' } });
    byCookie.close();
    expect((await get(`http://127.0.0.1:${bridge.port}/..%2f..%2fetc%2fpasswd`, { Cookie: cookie })).status).toBe(404);
  });

  it('carries the contract: search works over the WebSocket', async () => {
    const r = await client.invoke('search.query', { text: 'kettle whistle', limit: 1 });
    expect(r.ok).toBe(true);
    const hit = (r as { value: { results: { path: string }[] } }).value.results[0];
    expect(fx.library.find((e) => path.join(fx.libraryDir, e.file) === hit.path)?.concepts).toContain('whistle');
  });

  it('every channel rejects malformed payloads with a validation error, and the engine keeps serving', async () => {
    const pid = bridge.supervisor.pid;
    for (const name of Object.keys(channels)) {
      for (const bad of [42, 'text', [1, 2], null, { bogus: 1 }]) {
        const r = await client.invoke(name, bad);
        expect(r, `${name} ${JSON.stringify(bad)}`).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
      }
    }
    const typed: [string, unknown][] = [
      ['search.query', { text: 5 }],
      ['search.query', { limit: 0 }],
      ['search.query', { text: 'x', weight: 2 }],
      ['search.query', {}],
      ['library.index', { folders: 'one' }],
      ['library.addFolders', { paths: [] }],
      ['library.waveform', { path: '/x.wav', points: 1e9 }],
      ['jobs.cancel', { jobId: 7 }],
      ['media.resolve', { path: '' }],
      ['ui.setState', { lastQuery: { weight: 'heavy' } }],
    ];
    for (const [name, bad] of typed) expect(await client.invoke(name, bad), name).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await client.invoke('no.such.channel', {})).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await client.invoke('__proto__', {})).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(bridge.supervisor.pid).toBe(pid);
    expect(await client.invoke('library.stats', {})).toMatchObject({ ok: true, value: { files: fx.library.length } });
  });

  it('answers host abilities it lacks with "unsupported" values', async () => {
    expect(await client.invoke('app.info', {})).toMatchObject({ ok: true, value: { host: 'bridge', can: { dragOut: false } } });
    expect(await client.invoke('app.reveal', { path: '/x' })).toMatchObject({ ok: false, error: { code: 'unsupported' } });
  });

  it('streams library audio with range support and refuses anything outside the library', async () => {
    const file = path.join(fx.libraryDir, fx.library[0].file);
    const media = (p: string, headers: Record<string, string> = {}) =>
      get(`http://127.0.0.1:${bridge.port}/media?token=${bridge.token}&path=${encodeURIComponent(p)}`, headers);
    const whole = await media(file);
    expect(whole.status).toBe(200);
    expect(Buffer.from(await whole.arrayBuffer()).equals(fs.readFileSync(file))).toBe(true);
    const part = await media(file, { Range: 'bytes=4-11' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 4-11/${fs.statSync(file).size}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(fs.readFileSync(file).subarray(4, 12))).toBe(true);

    fs.symlinkSync(fx.libraryJson, path.join(fx.libraryDir, 'escape.wav'));
    for (const p of [`${fx.libraryDir}/../library.json`, path.join(fx.libraryDir, 'escape.wav'), fx.libraryJson, '/etc/passwd', 'relative.wav']) {
      expect((await media(p)).status, p).toBe(403);
    }
    fs.rmSync(path.join(fx.libraryDir, 'escape.wav'));
  });
});
