import type { SearchHit } from '../../../../preload/contract';
import type { Stores } from '../../stores';
import { RESULT_PATH_TYPE } from '../../stores/drop.svelte';
import { fileUrl } from '../../lib/format';

/** Enter on a result: show it in the file manager (desktop), or say why not (browser). */
export async function reveal(s: Stores, hit: SearchHit): Promise<void> {
  if (!s.app.can.reveal) {
    s.notices.push(`Showing files in their folder needs the desktop app. The file is at ${hit.path}`, 'warn', 9000);
    return;
  }
  const r = await s.host.transport.invoke('app.reveal', { path: hit.path });
  if (!r.ok) {
    s.notices.push(r.error.code === 'unsupported' ? `Showing files in their folder is unavailable here. The file is at ${hit.path}` : r.error.message, 'warn', 9000);
  }
}

/** "More like this": the result becomes the example sound. */
export function moreLikeThis(s: Stores, hit: SearchHit): void {
  s.search.setExample(hit.path);
}

/**
 * Dragging a result row out. The desktop app hands the OS the real file (app.startDrag; the
 * HTML drag is cancelled). In a browser the drag carries a file:// URL, the path, the result
 * (for the example zone) and a DownloadURL, which Chromium turns into a file when dropped on
 * the desktop.
 */
export function startDrag(s: Stores, hit: SearchHit, e: DragEvent): void {
  if (s.app.can.dragOut) {
    e.preventDefault();
    void s.host.transport.invoke('app.startDrag', { paths: [hit.path] }).then((r) => {
      if (!r.ok) s.notices.push(r.error.message, 'error');
    });
    return;
  }
  const dt = e.dataTransfer;
  if (!dt) return;
  dt.effectAllowed = 'copy';
  dt.setData('text/uri-list', fileUrl(hit.path));
  dt.setData('text/plain', hit.path);
  dt.setData(RESULT_PATH_TYPE, hit.path);
  const media = new URL(s.host.mediaUrl(hit.path), location.href).href;
  dt.setData('DownloadURL', `application/octet-stream:${hit.name.replace(/:/g, '_')}:${media}`);
}
