import { fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { EngineConfig } from '../engine';
import type { EngineChild, SpawnEngine } from './supervisor';

/**
 * Starts the engine as a Node child process (the web bridge's host; Electron uses utilityProcess).
 * From a checkout the TypeScript entry runs through tsx; a build runs the bundled JavaScript.
 */
export function forkEngine(config: EngineConfig, entry = defaultEntry()): SpawnEngine {
  return () => {
    const child = fork(entry, [], {
      execArgv: entry.endsWith('.ts') ? ['--import', 'tsx'] : [],
      env: { ...process.env, CUEBANK_ENGINE_CONFIG: JSON.stringify(config) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    // Writing to a process that just died raises EPIPE on the channel: its exit event follows and
    // the supervisor handles that; the error itself must not bring the host down.
    child.on('error', () => undefined);
    const handle: EngineChild = {
      get pid() {
        return child.pid;
      },
      send: (m) => {
        if (child.connected) child.send(m, (err) => void err);
      },
      onMessage: (l) => child.on('message', l),
      onExit: (l) => child.once('exit', (code, signal) => l(code, signal)),
      kill: () => child.kill('SIGKILL'),
    };
    return handle;
  };
}

function defaultEntry(): string {
  const here = import.meta.dirname;
  const built = path.resolve(here, 'engine-child.mjs');
  return fs.existsSync(built) ? built : path.resolve(here, 'engine-child.ts');
}
