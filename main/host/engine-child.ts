/**
 * The engine process: plain Node, started by Electron main (utilityProcess) or by the web bridge
 * (child_process.fork). It runs one engine and speaks the wire protocol with its parent. Native
 * inference can abort a process, so the engine lives here and never in a host's own thread.
 */
import type { Result, WireMessage } from '../../preload/contract';
import { createEngine, type EngineConfig } from '../engine';
import { toErrorValue } from '../engine/errors';
import { secretStoreFromEnv } from '../engine/models/manager/secrets';

interface ParentLink {
  post(message: WireMessage | { type: 'ready' } | { type: 'fatal'; message: string }): void;
  onMessage(listener: (message: WireMessage) => void): void;
}

/** Electron's utilityProcess gives process.parentPort; child_process.fork gives process.send. */
function parentLink(): ParentLink {
  const parentPort = (process as unknown as { parentPort?: { on(e: 'message', l: (e: { data: unknown }) => void): void; postMessage(m: unknown): void } })
    .parentPort;
  if (parentPort) {
    return {
      post: (m) => parentPort.postMessage(m),
      onMessage: (l) => parentPort.on('message', (e) => l(e.data as WireMessage)),
    };
  }
  if (!process.send) throw new Error('The engine process must be started by a Cuebank host');
  return {
    post: (m) => process.send!(m),
    onMessage: (l) => process.on('message', (m) => l(m as WireMessage)),
  };
}

async function main(): Promise<void> {
  const link = parentLink();
  const config = JSON.parse(process.env.CUEBANK_ENGINE_CONFIG ?? 'null') as EngineConfig | null;
  if (!config) throw new Error('CUEBANK_ENGINE_CONFIG is not set');
  let engine;
  try {
    engine = await createEngine(config, { background: true, secrets: secretStoreFromEnv(config.dbPath) });
  } catch (err) {
    link.post({ type: 'fatal', message: toErrorValue(err).message });
    process.exit(1);
  }
  engine.on('jobs.update', (payload) => link.post({ type: 'event', name: 'jobs.update', payload }));
  link.onMessage((message) => {
    if (message.type !== 'invoke') return;
    engine
      .call(message.name as never, message.input as never)
      .then(
        (value): Result<unknown> => ({ ok: true, value }),
        (err): Result<unknown> => ({ ok: false, error: toErrorValue(err) }),
      )
      .then((result) => link.post({ type: 'result', id: message.id, result }));
  });
  process.on('disconnect', () => void engine.close().finally(() => process.exit(0)));
  link.post({ type: 'ready' });
}

void main();
