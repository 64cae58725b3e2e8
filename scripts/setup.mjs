#!/usr/bin/env node
// Installs Cuebank's dependencies in a way that works offline-first and behind firewalls:
// `npm ci` with the two optional binary downloads turned off (Electron's runtime and
// onnxruntime-node's CUDA libraries), then each download tried on its own. When a download
// fails, the engine, CLI, web bridge and tests still work; only what needs that binary says so.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const run = (cmd, args, env = {}) =>
  spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env }, shell: process.platform === 'win32' }).status;

const skipDownloads = { ONNXRUNTIME_NODE_INSTALL: 'skip', ELECTRON_SKIP_BINARY_DOWNLOAD: '1' };
if (run('npm', ['ci'], skipDownloads) !== 0) process.exit(1);

if (!process.env.CUEBANK_OFFLINE) {
  if (fs.existsSync('node_modules/electron/install.js')) {
    const ok = run('node', ['node_modules/electron/install.js'], { ELECTRON_SKIP_BINARY_DOWNLOAD: '' }) === 0;
    if (!ok) console.warn('setup: the Electron runtime could not be downloaded; `npm start` needs it (the CLI and web bridge do not).');
  }
  if (process.platform === 'linux' && process.arch === 'x64') {
    const ok = run('node', ['node_modules/onnxruntime-node/script/install.js'], { ONNXRUNTIME_NODE_INSTALL: '' }) === 0;
    if (!ok) console.warn('setup: onnxruntime CUDA libraries could not be downloaded; models run on the CPU.');
  }
}
