import fc from 'fast-check';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { channels, type Result, type WireMessage } from '../../../preload/contract';
import { HOSTILE_JSON, jsonPayload, PROTO_KEYS, schemaKeys } from '../../helpers/hostile-payloads';
import { startTestBridge, type TestBridge } from '../../helpers/bridge';
import { tempDir } from '../../helpers/tmp';

/**
 * The web bridge's WebSocket, fed thousands of random payloads per contract channel, the hostile
 * set, unknown and prototype channel names, frames that are not JSON or not requests, and a frame
 * over the size limit. Every request the schema refuses gets an invalid_input value; the engine
 * process never restarts; and a normal request is answered after all of it.
 */
const RUNS = Number(process.env.CUEBANK_FUZZ_RUNS ?? 1000);

/** A raw client: sends frames as given and collects the answers by id. */
class RawClient {
  private readonly answers = new Map<number, (r: Result<unknown>) => void>();
  private nextId = 1;
  closeCode: number | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as WireMessage;
      if (m.type === 'result') this.answers.get(m.id)?.(m.result);
    });
    ws.on('close', (code) => (this.closeCode = code));
  }

  static connect(port: number, token: string): Promise<RawClient> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${token}`);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new RawClient(ws)));
      ws.once('error', reject);
    });
  }

  /** Sends an invoke frame whose input is the given JSON text (sent as is, never re-serialised). */
  invokeRaw(name: string, inputJson: string): Promise<Result<unknown>> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.answers.set(id, (r) => {
        this.answers.delete(id);
        resolve(r);
      });
      this.ws.send(`{"type":"invoke","id":${id},"name":${JSON.stringify(name)},"input":${inputJson}}`);
    });
  }

  invoke(name: string, input: unknown): Promise<Result<unknown>> {
    return this.invokeRaw(name, JSON.stringify(input) ?? 'null');
  }

  closed(): Promise<number> {
    return new Promise((resolve) => (this.closeCode !== null ? resolve(this.closeCode) : this.ws.once('close', (code) => resolve(code))));
  }
}

function accepted(name: keyof typeof channels, payload: unknown): boolean {
  try {
    return channels[name].input.safeParse(payload).success;
  } catch {
    return false;
  }
}

describe('the web bridge under random and hostile frames', () => {
  let tmp: { dir: string; cleanup: () => void };
  let app: TestBridge;
  let client: RawClient;
  let enginePid: number | undefined;

  beforeAll(async () => {
    tmp = tempDir();
    app = await startTestBridge(tmp.dir, { dbPath: path.join(tmp.dir, 'w.db'), modelsDir: path.join(tmp.dir, 'models') });
    client = await RawClient.connect(app.bridge.port, app.bridge.token);
    expect((await client.invoke('library.stats', {})).ok).toBe(true);
    enginePid = app.bridge.supervisor.pid;
  });

  afterAll(async () => {
    client?.ws.close();
    await app?.close();
    tmp?.cleanup();
  });

  it(`refuses ${RUNS} random payloads per channel with invalid_input values`, async () => {
    for (const name of Object.keys(channels) as (keyof typeof channels)[]) {
      // Only what the schema refuses: accepted payloads would be real requests with real effects.
      const payloads = fc.sample(
        jsonPayload(schemaKeys(channels[name].input)).filter((p) => !accepted(name, p)),
        { numRuns: RUNS, seed: name.length * 7919 },
      );
      const results = await Promise.all(payloads.map((p) => client.invoke(name, p)));
      // Checked in plain code and asserted once: thousands of expect() calls cost more than the requests.
      const wrong = results.flatMap((r, i) =>
        !r.ok && r.error.code === 'invalid_input' && r.error.message.length <= 300 ? [] : [`${name} ${JSON.stringify(payloads[i]).slice(0, 200)} -> ${JSON.stringify(r).slice(0, 200)}`],
      );
      expect(wrong).toEqual([]);
    }
  });

  it('answers every hostile payload on every channel with a value', async () => {
    // The small ones go to every channel; each channel also gets one of the big ones (100 KB to 1 MB) in turn.
    const small = HOSTILE_JSON.filter((t) => t.length < 100_000);
    const big = HOSTILE_JSON.filter((t) => t.length >= 100_000 && t.length < 1_000_000);
    for (const [k, name] of (Object.keys(channels) as (keyof typeof channels)[]).entries()) {
      const fits = [...small, big[k % big.length]];
      const results = await Promise.all(fits.map((t) => client.invokeRaw(name, t)));
      results.forEach((r, i) => {
        expect(typeof r.ok, name).toBe('boolean');
        if (!accepted(name, JSON.parse(fits[i]))) expect(r, `${name} hostile #${i}`).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
      });
    }
  });

  it('refuses unknown channels, prototype names included', async () => {
    const names = [...PROTO_KEYS, '__defineGetter__', '', 'library', 'library.', 'x'.repeat(100_000), ...fc.sample(fc.string({ maxLength: 30 }), 200)];
    for (const name of names.filter((n) => !Object.hasOwn(channels, n))) {
      const r = await client.invoke(name, {});
      expect(r, name.slice(0, 40)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
      if (!r.ok) expect(r.error.message.length).toBeLessThan(200);
    }
  });

  it('ignores frames that are not requests, and keeps the connection', async () => {
    const frames = [
      'not json',
      '{"type":"invoke"',
      'null',
      '[]',
      '"invoke"',
      '{"type":"invoke","id":"1","name":"library.stats","input":{}}',
      '{"type":"invoke","name":"library.stats","input":{}}',
      '{"type":"result","id":1,"result":{"ok":true,"value":1}}',
      '{"type":"event","name":"engine.status","payload":{}}',
      `{"type":"invoke","id":${'['.repeat(5000)}${']'.repeat(5000)}}`,
      '{"__proto__":{"type":"invoke","id":1}}',
      ...fc.sample(fc.string({ maxLength: 200 }), 300),
    ];
    for (const f of frames) client.ws.send(f);
    for (const bytes of fc.sample(fc.uint8Array({ maxLength: 512 }), 300)) client.ws.send(bytes);
    expect(await client.invoke('library.stats', {})).toMatchObject({ ok: true });
    expect(client.closeCode).toBeNull();
  });

  it('closes a connection that sends a frame over the size limit, and serves the next one', async () => {
    const big = await RawClient.connect(app.bridge.port, app.bridge.token);
    big.ws.send(`{"type":"invoke","id":1,"name":"library.meta","input":{"path":"${'x'.repeat(2 << 20)}"}}`);
    expect(await big.closed()).toBe(1009);
    const again = await RawClient.connect(app.bridge.port, app.bridge.token);
    expect(await again.invoke('library.stats', {})).toMatchObject({ ok: true });
    again.ws.close();
  });

  it('the engine never restarted and answers a normal request after all of it', async () => {
    expect(app.bridge.supervisor.status).toMatchObject({ state: 'ready', restarts: 0 });
    expect(app.bridge.supervisor.pid).toBe(enginePid);
    const projects = await client.invoke('projects.create', { name: 'After the fuzz' });
    expect(projects).toMatchObject({ ok: true, value: { name: 'After the fuzz' } });
  });
});
