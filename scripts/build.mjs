#!/usr/bin/env node
// Builds everything a host runs from dist/: Electron main, the engine process, the preload, the
// web bridge and the CLI as ESM bundles (dependencies stay in node_modules: several are native),
// and the renderer with Vite. `--no-renderer` skips the renderer, `--sourcemap` adds source maps.
import { build as esbuild } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const external = ['electron', ...Object.keys(pkg.dependencies ?? {})];

const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  external,
  // Source maps only when asked (`--sourcemap`): packages ship without them.
  sourcemap: process.argv.includes('--sourcemap') ? 'linked' : false,
  logLevel: 'warning',
  // ESM bundles of CommonJS-style code occasionally reach for require.
  banner: { js: "import { createRequire as __cuebankRequire } from 'node:module'; const require = __cuebankRequire(import.meta.url);" },
};

fs.mkdirSync(path.join(root, 'dist'), { recursive: true });
await Promise.all([
  // One bundle per entry (no code splitting): each file runs on its own.
  esbuild({
    ...node,
    // read-worker: the index job's file reader thread (main/engine/library/file-reader.ts looks for it beside the bundle).
    entryPoints: {
      main: 'main/app/main.ts',
      'engine-child': 'main/host/engine-child.ts',
      bridge: 'main/bridge/cli.ts',
      cli: 'main/cli/index.ts',
      'read-worker': 'main/engine/library/read-worker.ts',
    },
    outdir: 'dist',
    outExtension: { '.js': '.mjs' },
  }),
  // Sandboxed preloads are CommonJS and may require only 'electron': everything else is bundled in.
  esbuild({ ...node, banner: undefined, minify: true, format: 'cjs', external: ['electron'], entryPoints: { preload: 'preload/index.ts' }, outdir: 'dist', outExtension: { '.js': '.cjs' } }),
]);

if (!process.argv.includes('--no-renderer')) {
  const { build } = await import('vite');
  await build({ configFile: path.join(root, 'renderer', 'vite.config.ts'), logLevel: 'warn' });
}
