import { protocol, type Session } from 'electron';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import type { MediaGrant } from '../../preload/contract';
import { mediaHead } from '../host/media-response';
import { resolveStaticFile } from '../host/static-files';
import type { EngineSupervisor } from '../host/supervisor';
import { MEDIA_SCHEME, RENDERER_CSP } from './renderer-policy';


/** Must run before the app is ready: the app's own scheme behaves like https, the media scheme streams. */
export function registerSchemes(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: 'cuebank', privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
    { scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, stream: true, supportFetchAPI: true } },
  ]);
}


/**
 * cuebank://app/… serves the built renderer with the CSP header; cuebank-media://media/?path=…
 * streams audio (with Range) only after the engine granted the path (library folders only).
 */
export function handleProtocols(session: Session, rendererDir: string, engine: EngineSupervisor): void {
  session.protocol.handle('cuebank', async (request) => {
    const url = new URL(request.url);
    const found = url.host === 'app' ? resolveStaticFile(rendererDir, url.pathname) : null;
    if (!found) return new Response('Not found', { status: 404 });
    return new Response(Readable.toWeb(fs.createReadStream(found.file)) as ReadableStream, {
      headers: { 'Content-Type': found.type, 'Content-Security-Policy': RENDERER_CSP, 'X-Content-Type-Options': 'nosniff' },
    });
  });

  session.protocol.handle(MEDIA_SCHEME, async (request) => {
    const url = new URL(request.url);
    const result = await engine.invoke('media.resolve', { path: url.searchParams.get('path') ?? '' });
    if (!result.ok) return new Response(result.error.message, { status: result.error.code === 'forbidden' ? 403 : 404 });
    const grant = result.value as MediaGrant;
    const head = mediaHead(grant, request.headers.get('range'));
    const body = head.range && request.method !== 'HEAD' ? (Readable.toWeb(fs.createReadStream(grant.realPath, head.range)) as ReadableStream) : null;
    return new Response(body, { status: head.status, headers: head.headers });
  });
}
