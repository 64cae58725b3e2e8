/**
 * Preloaded into the `cuebank index` child by the fuzz runner: the CLI shows per-file progress
 * only to a terminal, and this makes stderr count as one, so the runner can see how long each
 * file takes. Nothing else about the CLI changes.
 */
Object.defineProperty(process.stderr, 'isTTY', { value: true });
