import { getLoadablePath } from 'sqlite-vec';

/**
 * Path of the sqlite-vec loadable extension.
 *
 * SQLite loads extensions with dlopen, which cannot read from inside an asar archive, so in a
 * packaged Electron app the library must come from app.asar.unpacked (electron-builder's
 * asarUnpack puts it there). In a checkout or the CLI the npm platform package path is used as is.
 */
export function sqliteVecPath(): string {
  return toUnpackedPath(getLoadablePath());
}

/** Rewrites a path inside app.asar to the same path inside app.asar.unpacked. */
export function toUnpackedPath(p: string): string {
  return p.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
}
