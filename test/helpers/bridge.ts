import WebSocket from 'ws';
import type { Result, WireMessage } from '../../preload/contract';

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
