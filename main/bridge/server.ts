import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { MediaGrant, WireMessage } from '../../preload/contract';
import { contentSecurityPolicy } from '../host/csp';
import { mediaHead } from '../host/media-response';
import { routeInvoke, unsupported, type HostHandlers } from '../host/router';
import { resolveStaticFile } from '../host/static-files';
import { EngineSupervisor, type SpawnEngine } from '../host/supervisor';

export interface BridgeOptions {
  /** Starts the engine process (forkEngine(config) in production; tests may pass their own). */
  spawn: SpawnEngine;
  /** Folder of the built renderer (index.html and assets). */
  rendererDir: string;
  /** 0 picks a free port. */
  port?: number;
  version?: string;
}

export interface Bridge {
  url: string;
  token: string;
  port: number;
  supervisor: EngineSupervisor;
  close(): Promise<void>;
}

const COOKIE = 'cuebank_token';

/**
 * The local web bridge: the built renderer and the same IPC contract over a WebSocket, on
 * 127.0.0.1 only, for a browser on this machine (tests in Chromium, headless studio use). Every
 * request must carry the per-run token: in the URL the bridge prints, then in a strict
 * same-site cookie it sets. Host and Origin are checked so another site cannot rebind to it.
 */
export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const token = randomBytes(24).toString('base64url');
  const supervisor = new EngineSupervisor(options.spawn);
  const sockets = new Set<WebSocket>();
  let port = 0;

  const hostHandlers: HostHandlers = {
    'app.info': async () => ({
      host: 'bridge',
      platform: process.platform,
      version: options.version ?? '0.0.0',
      can: { chooseFolders: false, reveal: false, dragOut: false },
    }),
    'app.chooseFolders': async () => unsupported('A folder dialog'),
    'app.reveal': async () => unsupported('Showing files in the file manager'),
    'app.startDrag': async () => unsupported('Dragging files out of the browser'),
  };

  const tokenOk = (given: string | null | undefined) => {
    if (!given) return false;
    const a = Buffer.from(given);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  };
  const cookieToken = (req: http.IncomingMessage) =>
    (req.headers.cookie ?? '')
      .split(';')
      .map((c) => c.trim().split('='))
      .find(([k]) => k === COOKIE)?.[1];
  const hostOk = (req: http.IncomingMessage) => req.headers.host === `127.0.0.1:${port}` || req.headers.host === `localhost:${port}`;
  const originOk = (req: http.IncomingMessage) => {
    const origin = req.headers.origin;
    return !origin || origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
  };
  const authorised = (req: http.IncomingMessage, url: URL) => hostOk(req) && originOk(req) && (tokenOk(url.searchParams.get('token')) || tokenOk(cookieToken(req)));

  const csp = () => contentSecurityPolicy({ connect: [`ws://127.0.0.1:${port}`, `ws://localhost:${port}`] });

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!authorised(req, url)) {
      res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Forbidden: open the address the bridge printed (it carries the token).');
      return;
    }
    if (tokenOk(url.searchParams.get('token'))) {
      res.setHeader('Set-Cookie', `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    }
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    if (url.pathname === '/media') {
      void serveMedia(req, res, url.searchParams.get('path'));
      return;
    }
    serveStatic(res, url.pathname);
  });

  const serveStatic = (res: http.ServerResponse, pathname: string) => {
    const found = resolveStaticFile(options.rendererDir, pathname);
    if (!found) {
      const built = fs.existsSync(path.join(options.rendererDir, 'index.html'));
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(built ? 'Not found' : 'The renderer is not built: run `npm run build`.');
      return;
    }
    res.writeHead(200, { 'Content-Type': found.type, 'Content-Security-Policy': csp(), 'Cache-Control': 'no-cache' });
    fs.createReadStream(found.file).pipe(res);
  };

  const serveMedia = async (req: http.IncomingMessage, res: http.ServerResponse, requested: string | null) => {
    const result = await supervisor.invoke('media.resolve', { path: requested ?? '' });
    if (!result.ok) {
      res.writeHead(result.error.code === 'forbidden' ? 403 : 404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(result.error.message);
      return;
    }
    const grant = result.value as MediaGrant;
    const head = mediaHead(grant, req.headers.range);
    res.writeHead(head.status, head.headers);
    if (!head.range || req.method === 'HEAD') {
      res.end();
      return;
    }
    fs.createReadStream(grant.realPath, head.range).on('error', () => res.destroy()).pipe(res);
  };

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/ws' || !authorised(req, url)) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    // A protocol error (a frame over maxPayload, bad framing) closes that connection; unheard, the
    // 'error' event would throw and take the whole bridge down.
    ws.on('error', () => ws.terminate());
    ws.send(JSON.stringify({ type: 'event', name: 'engine.status', payload: supervisor.status } satisfies WireMessage));
    ws.on('message', (data) => {
      let message: WireMessage;
      try {
        message = JSON.parse(String(data));
      } catch {
        return;
      }
      if (message?.type !== 'invoke' || typeof message.id !== 'number') return;
      void routeInvoke(message.name, message.input, hostHandlers, supervisor).then((result) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'result', id: message.id, result } satisfies WireMessage));
      });
    });
  });

  supervisor.onEvent((name, payload) => {
    const text = JSON.stringify({ type: 'event', name, payload } satisfies WireMessage);
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as { port: number }).port;
  supervisor.start();

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    token,
    port,
    supervisor,
    async close() {
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await supervisor.stop();
    },
  };
}
