/** Where a drop can land on the library screen. */
export type DropTarget = 'folders' | 'example';

/** How long a DOM drop waits for the host's 'app.dropped' paths. */
const PAIRING_MS = 3000;

/** A drag carrying a result row from the list (to the example zone). */
export const RESULT_PATH_TYPE = 'application/x-cuebank-path';

/**
 * Pairs a DOM drop with the host's 'app.dropped' event. A sandboxed page cannot read the real
 * paths of dropped files; in Electron the preload resolves them and the host emits
 * 'app.dropped { paths }' just after the DOM drop. The drop handler records where the drop
 * landed (mark) and the next 'app.dropped' goes there (take).
 */
export class DropStore {
  /** The target under a drag, for highlighting. */
  over = $state<DropTarget | null>(null);
  private pending: { target: DropTarget; at: number } | null = null;

  mark(target: DropTarget): void {
    this.pending = { target, at: performance.now() };
    this.over = null;
  }

  take(): DropTarget | null {
    const p = this.pending;
    this.pending = null;
    return p && performance.now() - p.at < PAIRING_MS ? p.target : null;
  }
}

/** Does this drag carry files from outside (Finder, Explorer, a file manager)? */
export function draggingFiles(e: DragEvent): boolean {
  return Array.from(e.dataTransfer?.types ?? []).includes('Files');
}

/** Does this drag carry a result row? */
export function draggingResult(e: DragEvent): boolean {
  return Array.from(e.dataTransfer?.types ?? []).includes(RESULT_PATH_TYPE);
}
