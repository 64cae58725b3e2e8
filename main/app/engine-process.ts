import { utilityProcess } from 'electron';
import path from 'node:path';
import type { EngineConfig } from '../engine';
import type { EngineChild, SpawnEngine } from '../host/supervisor';
import { SECRET_KEY_ENV } from '../engine/models/manager/secrets';

/**
 * Starts the engine in an Electron utility process (a Node process main supervises): a crash in
 * native inference takes down only that process, never the window or main.
 */
export function utilityEngine(config: EngineConfig, secretKey: string | null = null, entry = path.join(import.meta.dirname, 'engine-child.mjs')): SpawnEngine {
  return () => {
    const child = utilityProcess.fork(entry, [], {
      serviceName: 'Cuebank engine',
      env: { ...process.env, CUEBANK_ENGINE_CONFIG: JSON.stringify(config), ...(secretKey ? { [SECRET_KEY_ENV]: secretKey } : {}) },
      stdio: 'inherit',
    });
    const handle: EngineChild = {
      get pid() {
        return child.pid;
      },
      send: (m) => child.postMessage(m),
      onMessage: (l) => child.on('message', l),
      onExit: (l) => child.once('exit', (code) => l(code, null)),
      kill: () => void child.kill(),
    };
    return handle;
  };
}
