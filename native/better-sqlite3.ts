import fs from 'node:fs';
import path from 'node:path';

/**
 * better-sqlite3 is a native module built for one ABI. The CLI, the bridge and the tests run on
 * Node; the desktop app's engine runs in Electron's utility process, whose ABI differs. A packaged
 * app is rebuilt for Electron by electron-builder, so the default binding is right there. In a
 * checkout, `npm start` builds an Electron copy into native/electron-<abi>/ (scripts/start.mjs) and
 * the engine loads that one when it runs under Electron.
 */
export function betterSqliteBinding(): string | undefined {
  const electron = process.versions.electron;
  if (!electron) return undefined;
  const file = path.join(import.meta.dirname, '..', 'native', `electron-${process.versions.modules}`, 'better_sqlite3.node');
  return fs.existsSync(file) ? file : undefined;
}
