import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import type { Result, WireMessage } from '../../preload/contract';
import { startBridge, type Bridge } from '../../main/bridge/server';
import type { EngineConfig } from '../../main/engine/config';
import { forkEngine } from '../../main/host/fork-engine';

/** A WebSocket client of the bridge speaking the wire protocol, for tests. */
export class BridgeClient {
  private nextId = 1;
  private readonly pending = new Map<number, (r: Result<unknown>) => void>();
  readonly events: { name: string; payload: unknown }[] = [];

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as WireMessage;
      if (m.type === 'result') {
        this.pending.get(m.id)?.(m.result);
        this.pending.delete(m.id);
      } else if (m.type === 'event') {
        this.events.push({ name: m.name, payload: m.payload });
      }
    });
  }

  static connect(port: number, token: string | null, headers: Record<string, string> = {}): Promise<BridgeClient> {
    const url = `ws://127.0.0.1:${port}/ws${token ? `?token=${token}` : ''}`;
    const ws = new WebSocket(url, { headers });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new BridgeClient(ws)));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }

  invoke(name: string, input: unknown): Promise<Result<unknown>> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.ws.send(JSON.stringify({ type: 'invoke', id, name, input }));
    });
  }

  /** The value of a call; an error value fails the test with its code and message. */
  async value<T>(name: string, input: unknown): Promise<T> {
    const r = await this.invoke(name, input);
    if (!r.ok) throw new Error(`${name}: ${r.error.code}: ${r.error.message}`);
    return r.value as T;
  }

  /** Indexes folders through the bridge and waits for the job to finish. */
  async index(folders: string[]): Promise<void> {
    const { jobId } = await this.value<{ jobId: string }>('library.index', { folders });
    await this.waitForEvent((name, p) => name === 'jobs.update' && (p as { jobId: string }).jobId === jobId && (p as { type: string }).type === 'done');
  }

  /** Resolves with the first event matching, looking at those already received too. */
  async waitForEvent(match: (name: string, payload: unknown) => boolean, timeoutMs = 60_000): Promise<unknown> {
    const start = Date.now();
    for (let seen = 0; Date.now() - start < timeoutMs; ) {
      for (; seen < this.events.length; seen++) if (match(this.events[seen].name, this.events[seen].payload)) return this.events[seen].payload;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('timed out waiting for an event');
  }

  close(): void {
    this.ws.close();
  }
}

export interface TestBridge {
  bridge: Bridge;
  client: BridgeClient;
  /** The folder the bridge serves as the renderer (an index page in it). */
  rendererDir: string;
  close(): Promise<void>;
}

/** A bridge over a forked engine, serving a stand-in renderer from `dir`, with a client connected. */
export async function startTestBridge(dir: string, config: EngineConfig): Promise<TestBridge> {
  const rendererDir = path.join(dir, 'renderer');
  fs.mkdirSync(rendererDir, { recursive: true });
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Cuebank</title>');
  const bridge = await startBridge({ spawn: forkEngine(config), rendererDir });
  try {
    const client = await BridgeClient.connect(bridge.port, bridge.token);
    return {
      bridge,
      client,
      rendererDir,
      close: async () => {
        client.close();
        await bridge.close();
      },
    };
  } catch (err) {
    await bridge.close();
    throw err;
  }
}
