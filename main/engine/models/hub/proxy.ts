/**
 * HTTPS_PROXY / HTTP_PROXY / NO_PROXY as curl and the hub's own clients read them. Node's http
 * modules ignore these variables and `undici` (which has EnvHttpProxyAgent) is not a dependency of
 * the app, so the few lines needed are here: plain-http targets go to the proxy with the absolute
 * URL, https targets through a CONNECT tunnel.
 */
import http from 'node:http';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';

const pick = (env: NodeJS.ProcessEnv, name: string): string | undefined => env[name.toLowerCase()] || env[name.toUpperCase()] || undefined;

/** True when NO_PROXY exempts the host: "*", exact hosts, ".suffix" or "suffix" domains, optional ":port". */
export function bypassesProxy(url: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  for (const raw of noProxy.split(/[,\s]+/)) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    const [name, entryPort] = entry.startsWith('[') ? [entry.slice(1, entry.indexOf(']')), entry.split(']:')[1]] : entry.split(':');
    if (entryPort && entryPort !== port) continue;
    const domain = name.replace(/^\*?\./, '');
    if (host === domain || host.endsWith(`.${domain}`)) return true;
  }
  return false;
}

/** The proxy to use for `url`, or null for a direct connection. */
export function proxyFor(url: URL, env: NodeJS.ProcessEnv = process.env): URL | null {
  if (bypassesProxy(url, pick(env, 'NO_PROXY'))) return null;
  const value = url.protocol === 'https:' ? (pick(env, 'HTTPS_PROXY') ?? pick(env, 'ALL_PROXY')) : (pick(env, 'HTTP_PROXY') ?? pick(env, 'ALL_PROXY'));
  if (!value) return null;
  try {
    return new URL(value.includes('://') ? value : `http://${value}`);
  } catch {
    return null;
  }
}

function proxyAuth(proxy: URL): Record<string, string> {
  if (!proxy.username) return {};
  const cred = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { 'proxy-authorization': `Basic ${Buffer.from(cred).toString('base64')}` };
}

/**
 * Request options that send `url` through `proxy`: for http the proxy gets the absolute URL; for
 * https a CONNECT tunnel is opened first and TLS runs inside it (`createConnection`).
 */
export async function viaProxy(
  url: URL,
  proxy: URL,
  timeoutMs: number,
): Promise<{ host: string; port: number; path: string; headers: Record<string, string>; createConnection?: () => Duplex }> {
  if (url.protocol === 'http:') {
    return { host: proxy.hostname, port: Number(proxy.port || 80), path: url.href, headers: { ...proxyAuth(proxy) } };
  }
  const target = `${url.hostname}:${url.port || 443}`;
  const socket = await new Promise<Duplex>((resolve, reject) => {
    const req = http.request({ host: proxy.hostname, port: Number(proxy.port || 80), method: 'CONNECT', path: target, headers: { host: target, ...proxyAuth(proxy) }, timeout: timeoutMs });
    req.once('connect', (res, sock) => {
      if (res.statusCode === 200) resolve(sock);
      else {
        sock.destroy();
        reject(new Error(`the proxy ${proxy.host} refused the tunnel to ${target} (HTTP ${res.statusCode})`));
      }
    });
    req.once('timeout', () => req.destroy(new Error(`the proxy ${proxy.host} did not answer`)));
    req.once('error', reject);
    req.end();
  });
  return {
    host: url.hostname,
    port: Number(url.port || 443),
    path: url.pathname + url.search,
    headers: {},
    createConnection: () => tls.connect({ socket: socket as import('node:net').Socket, servername: url.hostname }),
  };
}
