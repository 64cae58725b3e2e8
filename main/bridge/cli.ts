/**
 * `npm run bridge -- --db <file> --models <dir> [--port N]`: serves the renderer and the engine
 * on 127.0.0.1. The first line on stdout is the address to open (it carries the access token).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { forkEngine } from '../host/fork-engine';
import { appRoot } from '../host/static-files';
import { startBridge } from './server';

const root = appRoot(import.meta.dirname);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { db: { type: 'string' }, models: { type: 'string' }, port: { type: 'string' }, renderer: { type: 'string' } },
    strict: true,
  });
  if (!values.db || !values.models) throw new Error('usage: npm run bridge -- --db <file> --models <dir> [--port N] [--renderer <built renderer dir>]');
  const rendererDir = path.resolve(values.renderer ?? path.join(root, 'dist', 'renderer'));
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('--port must be a port number');
  if (!values.renderer && !fs.existsSync(path.join(rendererDir, 'index.html'))) {
    // First run from a checkout: build the renderer, keeping stdout for the address line.
    const built = spawnSync(process.execPath, [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', path.join(root, 'renderer', 'vite.config.ts')], {
      cwd: root,
      stdio: ['ignore', process.stderr, process.stderr],
    });
    if (built.status !== 0) throw new Error('building the renderer failed');
  }
  const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version as string;
  const bridge = await startBridge({
    spawn: forkEngine({ dbPath: path.resolve(values.db), modelsDir: path.resolve(values.models) }),
    rendererDir,
    port,
    version,
  });
  process.stdout.write(`${bridge.url}\n`);
  const stop = () => void bridge.close().finally(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`cuebank bridge: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
