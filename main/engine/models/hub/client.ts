/**
 * A client for the Hugging Face hub's resolve endpoint, the way huggingface_hub and transformers.js
 * speak it: HEAD/GET `<endpoint>/<repo>/resolve/<revision>/<path>`. Large (LFS) files answer with a
 * redirect to a content server; the first answer carries the file's size and sha256 (x-linked-size,
 * x-linked-etag) and the commit the revision resolved to (x-repo-commit). Small files answer 200
 * with their git blob sha1 as ETag. Node's http(s) is used directly (not fetch) for exact control of
 * redirects, Range and idle timeouts.
 */
import http from 'node:http';
import https from 'node:https';
import { CuebankError } from '../../errors';
import { proxyFor, viaProxy } from './proxy';

export const DEFAULT_HUB_ENDPOINT = 'https://huggingface.co';
const MAX_REDIRECTS = 10;

export interface HubClientOptions {
  /** Base URL; null/undefined: HF_ENDPOINT, else huggingface.co (studios run internal mirrors). */
  endpoint?: string | null;
  /** Bearer token for private repositories; sent to the hub's own host only, never to a CDN. */
  token?: string | null;
  /** A request that sends no data for this long fails (ms). */
  timeoutMs?: number;
  /** Where HF_ENDPOINT and the proxy variables are read (tests pass their own). */
  env?: NodeJS.ProcessEnv;
}

/** What the hub says about one file before it is fetched. */
export interface RemoteFile {
  path: string;
  size: number;
  /** LFS sha256 (x-linked-etag), when the file is stored in LFS. */
  sha256: string | null;
  /** Git blob sha1 (ETag of a regular file), when not in LFS. */
  gitSha1: string | null;
  /** The commit the revision resolved to, when the hub says (x-repo-commit). */
  commit: string | null;
  /** Validator for If-Range on resumed GETs. */
  etag: string | null;
}

/** One streamed GET: the body from `start` (or 0 when the server ignored the Range). */
export interface RemoteBody {
  start: number;
  body: http.IncomingMessage;
}

const normalizeEtag = (v: string | string[] | undefined): string | null => {
  const s = Array.isArray(v) ? v[0] : v;
  return s ? s.replace(/^W\//, '').replace(/^"|"$/g, '') : null;
};
const header = (res: http.IncomingMessage, name: string): string | undefined => {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

export class HubClient {
  readonly endpoint: string;
  private readonly token: string | null;
  private readonly timeoutMs: number;
  private readonly env: NodeJS.ProcessEnv;

  constructor(options: HubClientOptions = {}) {
    this.env = options.env ?? process.env;
    this.endpoint = (options.endpoint || this.env.HF_ENDPOINT || DEFAULT_HUB_ENDPOINT).replace(/\/+$/, '');
    this.token = options.token ?? null;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  resolveUrl(repo: string, revision: string, file: string): string {
    const rev = encodeURIComponent(revision);
    return `${this.endpoint}/${repo}/resolve/${rev}/${file.split('/').map(encodeURIComponent).join('/')}`;
  }

  /** Size, hash and commit of one file, from the hub's answers along its redirect chain. */
  async head(repo: string, revision: string, file: string, signal?: AbortSignal): Promise<RemoteFile> {
    const what = `${repo}@${revision}: ${file}`;
    // The first answer that carries them wins: a CDN further down the chain knows nothing of the repository.
    const seen: { size: number | null; linkedEtag: string | null; commit: string | null } = { size: null, linkedEtag: null, commit: null };
    const res = await this.open('HEAD', this.resolveUrl(repo, revision, file), {}, what, signal, (hop) => {
      const size = header(hop, 'x-linked-size');
      if (size && seen.size === null) seen.size = Number(size);
      seen.linkedEtag ??= normalizeEtag(hop.headers['x-linked-etag']);
      seen.commit ??= header(hop, 'x-repo-commit') ?? null;
      // The LFS redirect already says all a HEAD needs. Its target is a presigned content-server
      // URL, signed for GET only: huggingface_hub does not follow it either.
      return !!size;
    });
    const { linkedEtag, commit } = seen;
    res.resume();
    const etag = normalizeEtag(res.headers.etag);
    const length = Number(header(res, 'content-length'));
    const size = seen.size ?? (Number.isFinite(length) ? length : NaN);
    if (!Number.isFinite(size)) throw new CuebankError('model_error', `The hub gave no size for ${what}`);
    const sha256 = linkedEtag && /^[0-9a-f]{64}$/i.test(linkedEtag) ? linkedEtag.toLowerCase() : null;
    const gitSha1 = !sha256 && etag && /^[0-9a-f]{40}$/i.test(etag) ? etag.toLowerCase() : null;
    return { path: file, size, sha256, gitSha1, commit, etag: linkedEtag ?? etag };
  }

  /**
   * Starts a GET of the file from byte `start` (Range), following redirects. With `ifRange` the
   * server sends the whole file (200) when the file changed; the caller then starts over.
   */
  async get(repo: string, revision: string, file: string, start: number, ifRange: string | null, signal?: AbortSignal): Promise<RemoteBody> {
    const headers: Record<string, string> = {};
    if (start > 0) {
      headers.range = `bytes=${start}-`;
      if (ifRange) headers['if-range'] = `"${ifRange}"`;
    }
    // A server that ignores Range (or whose If-Range did not match) answers 200: the caller starts over.
    const res = await this.open('GET', this.resolveUrl(repo, revision, file), headers, `${repo}@${revision}: ${file}`, signal);
    if (start > 0 && res.statusCode === 206) {
      const from = Number(/bytes (\d+)-/.exec(header(res, 'content-range') ?? '')?.[1]);
      if (from !== start) {
        res.destroy();
        throw new CuebankError('model_error', `The server answered a resume of ${file} from byte ${start} with bytes from ${from}`);
      }
      return { start, body: res };
    }
    return { start: 0, body: res };
  }

  /** One request and its redirects; resolves with the first non-redirect answer, which must be 2xx. */
  private async open(
    method: 'GET' | 'HEAD',
    startUrl: string,
    headers: Record<string, string>,
    what: string,
    signal?: AbortSignal,
    /** Sees every answer; returning true makes that answer the result (no further redirect). */
    onHop?: (res: http.IncomingMessage) => boolean | void,
  ): Promise<http.IncomingMessage> {
    const seen = new Set<string>();
    let url = new URL(startUrl);
    const hubOrigin = new URL(this.endpoint).origin;
    for (let hop = 0; ; hop++) {
      if (seen.has(url.href)) throw new CuebankError('model_error', `Redirect loop while fetching ${what}: ${url.href} was reached twice. The hub address (HF_ENDPOINT) or a proxy is misconfigured.`);
      seen.add(url.href);
      // The token goes to the hub's own host only: a CDN must never see it.
      const auth: Record<string, string> = this.token && url.origin === hubOrigin ? { authorization: `Bearer ${this.token}` } : {};
      const res = await this.request(method, url, { 'user-agent': 'cuebank-model-manager', ...headers, ...auth }, what, signal);
      if (onHop?.(res)) return res;
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        if (hop + 1 >= MAX_REDIRECTS) throw new CuebankError('model_error', `Too many redirects (${MAX_REDIRECTS}) while fetching ${what}: the hub address or a proxy is misconfigured.`);
        url = new URL(res.headers.location, url);
        continue;
      }
      if (status >= 200 && status < 300) return res;
      res.resume();
      throw httpError(status, what, url);
    }
  }

  private async request(method: string, url: URL, headers: Record<string, string>, what: string, signal?: AbortSignal): Promise<http.IncomingMessage> {
    signal?.throwIfAborted();
    const proxy = proxyFor(url, this.env);
    const route = proxy
      ? await viaProxy(url, proxy, this.timeoutMs).catch((err: Error) => {
          throw new CuebankError('model_error', `Cannot reach ${url.host} through the proxy ${proxy.host}: ${err.message}`);
        })
      : { host: url.hostname, port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)), path: url.pathname + url.search, headers: {} };
    const tunnel = 'createConnection' in route ? route.createConnection : undefined;
    // Through a CONNECT tunnel TLS is already set up in createConnection: plain http.request runs over it.
    const lib = url.protocol === 'https:' && !tunnel ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request(
        {
          method,
          host: route.host,
          port: route.port,
          path: route.path,
          headers: { host: url.host, ...route.headers, ...headers },
          // A fresh connection per request: files are few and large, and an idle timer set on a pooled socket would outlive its request.
          agent: false,
          ...(tunnel ? { createConnection: tunnel } : {}),
          signal,
        },
        (res) => {
          // An idle body (a stalled server) fails the read the same way an idle connect does.
          res.socket.setTimeout(this.timeoutMs, () => res.destroy(timeoutError(what, this.timeoutMs)));
          resolve(res);
        },
      );
      req.setTimeout(this.timeoutMs, () => req.destroy(timeoutError(what, this.timeoutMs)));
      req.once('error', (err) => reject(networkError(err, url, what, this.env)));
      req.end();
    });
  }
}

export function timeoutError(what: string, ms: number): CuebankError {
  return new CuebankError('model_error', `Timed out: no data for ${Math.round(ms / 1000)} s while fetching ${what}. Run the download again to resume.`);
}

function httpError(status: number, what: string, url: URL): CuebankError {
  if (status === 401 || status === 403) {
    return new CuebankError('forbidden', `The hub refused ${what} (HTTP ${status}): the repository is private or gated; set an access token on the Models screen.`);
  }
  if (status === 404) return new CuebankError('not_found', `Not found on the hub (HTTP 404): ${what} (${url.host}). Check the repository, revision and HF_ENDPOINT.`);
  if (status >= 500) return new CuebankError('model_error', `The hub had a server error (HTTP ${status}) for ${what}; try again later (the download resumes).`);
  return new CuebankError('model_error', `The hub answered HTTP ${status} for ${what}.`);
}

const OFFLINE_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN']);

function networkError(err: Error & { code?: string }, url: URL, what: string, env: NodeJS.ProcessEnv): Error {
  if (err instanceof CuebankError || err.name === 'AbortError') return err;
  if (err.code && OFFLINE_CODES.has(err.code)) {
    const hint = env.HF_ENDPOINT ? ` (HF_ENDPOINT is ${env.HF_ENDPOINT})` : '';
    return new CuebankError('model_error', `Cannot reach ${url.host} (${err.code}): you seem to be offline, or the hub address is wrong${hint}. Nothing was changed; run the download again when online.`);
  }
  return new CuebankError('model_error', `The connection to ${url.host} failed while fetching ${what}: ${err.message}. Run the download again to resume.`);
}
