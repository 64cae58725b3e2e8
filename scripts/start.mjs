#!/usr/bin/env node
// `npm start`: builds the app, makes sure Electron and an Electron build of better-sqlite3 are
// present, then opens Cuebank. Extra arguments pass through (e.g. -- --db <file> --models <dir>).
import { spawnSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const root = path.resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const fail = (message) => {
  console.error(`cuebank start: ${message}`);
  process.exit(1);
};

if (spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { stdio: 'inherit', cwd: root }).status !== 0) fail('the build failed');

let electronBinary;
try {
  electronBinary = require('electron');
} catch {
  electronBinary = null;
}
if (!electronBinary || !fs.existsSync(electronBinary)) {
  fail('the Electron runtime is not installed (its download failed or was skipped). With internet access run ' +
    '`node node_modules/electron/install.js`; without it, `npm run bridge -- --db <file> --models <dir>` serves the same app to a browser.');
}

// The engine runs in Electron's utility process, whose native-module ABI is Electron's, not Node's.
const electronVersion = require('electron/package.json').version;
const abi = fs.readFileSync(require.resolve('electron/abi_version'), 'utf8').trim();
const binding = path.join(root, 'native', `electron-${abi}`, 'better_sqlite3.node');
if (!fs.existsSync(binding)) {
  console.error(`cuebank start: building better-sqlite3 for Electron ${electronVersion} (once)…`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cuebank-sqlite-'));
  fs.cpSync(path.dirname(require.resolve('better-sqlite3/package.json')), work, { recursive: true, filter: (src) => !src.includes(`${path.sep}build${path.sep}`) });
  const gyp = path.join(path.dirname(require.resolve('node-gyp/package.json')), 'bin', 'node-gyp.js');
  const built = spawnSync(process.execPath, [gyp, 'rebuild', '--release', '--runtime=electron', `--target=${electronVersion}`, '--dist-url=https://electronjs.org/headers'], {
    cwd: work,
    stdio: 'inherit',
  });
  if (built.status !== 0) fail('building better-sqlite3 for Electron failed (it needs the Electron headers from electronjs.org once)');
  fs.mkdirSync(path.dirname(binding), { recursive: true });
  fs.copyFileSync(path.join(work, 'build', 'Release', 'better_sqlite3.node'), binding);
  fs.rmSync(work, { recursive: true, force: true });
}

const child = spawn(electronBinary, [root, ...process.argv.slice(2)], { stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 0));
