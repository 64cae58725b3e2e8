import fs from 'node:fs';
import path from 'node:path';
import type { MediaGrant } from '../../../preload/contract/media';
import type { Db } from '../db/open';
import { CuebankError } from '../errors';

const MIME: Record<string, string> = {
  '.wav': 'audio/wav', '.wave': 'audio/wav', '.bwf': 'audio/wav', '.rf64': 'audio/wav', '.w64': 'audio/wav',
  '.aif': 'audio/aiff', '.aiff': 'audio/aiff', '.aifc': 'audio/aiff',
  '.flac': 'audio/flac', '.mp3': 'audio/mpeg', '.ogg': 'audio/ogg', '.oga': 'audio/ogg', '.opus': 'audio/ogg',
};

const inside = (child: string, root: string) => child === root || child.startsWith(root.endsWith(path.sep) ? root : root + path.sep);

/**
 * Decides whether the renderer may stream a file. The renderer is untrusted, so the decision is
 * made on the resolved path: `..` segments and symbolic links are resolved first, and the real
 * file must lie inside a library folder's real path, or be a file the index itself recorded
 * (reached through a link the user keeps in the library). Everything else is refused.
 * `extraRoots` are other folders the app owns (project folders).
 */
export function resolveMedia(db: Db, requested: string, extraRoots: string[] = []): MediaGrant {
  const refused = () => new CuebankError('forbidden', `Not a file in the library: ${requested}`);
  if (!path.isAbsolute(requested) || requested.includes('\0')) throw refused();
  let realPath: string;
  let st: fs.Stats;
  try {
    realPath = fs.realpathSync(requested);
    st = fs.statSync(realPath);
  } catch {
    throw refused();
  }
  if (!st.isFile()) throw refused();
  const roots = [...(db.prepare(`SELECT path FROM folders`).all() as { path: string }[]).map((r) => r.path), ...extraRoots];
  const realRoots = roots.flatMap((r) => {
    try {
      return [fs.realpathSync(r)];
    } catch {
      return [];
    }
  });
  const allowed =
    realRoots.some((root) => inside(realPath, root)) ||
    db.prepare(`SELECT 1 FROM files WHERE real_path = ? AND status = 'ok'`).get(realPath) !== undefined;
  if (!allowed) throw refused();
  return { realPath, size: st.size, mimeType: MIME[path.extname(realPath).toLowerCase()] ?? 'application/octet-stream' };
}
