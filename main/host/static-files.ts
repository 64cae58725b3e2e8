import fs from 'node:fs';
import path from 'node:path';

export const STATIC_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/**
 * The file of the built renderer a URL path names, or null. Paths are resolved and must stay
 * inside the renderer folder, so `..` or encoded tricks cannot reach anything else.
 */
export function resolveStaticFile(rootDir: string, urlPath: string): { file: string; type: string } | null {
  const root = path.resolve(rootDir);
  let rel: string;
  try {
    rel = urlPath === '/' || urlPath === '' ? 'index.html' : decodeURIComponent(urlPath).replace(/^\/+/, '');
  } catch {
    return null;
  }
  const file = path.resolve(root, rel);
  if (!file.startsWith(root + path.sep)) return null;
  try {
    if (!fs.statSync(file).isFile()) return null;
  } catch {
    return null;
  }
  return { file, type: STATIC_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream' };
}

/** The checkout or installed app folder: the nearest folder above `from` holding Cuebank's package.json. */
export function appRoot(from: string): string {
  let dir = path.resolve(from);
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'cuebank') return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`Cuebank's package.json not found above ${from}`);
    dir = up;
  }
}
