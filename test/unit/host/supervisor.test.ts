import { describe, expect, it } from 'vitest';
import type { WireMessage } from '../../../preload/contract';
import { EngineSupervisor, type EngineChild } from '../../../main/host/supervisor';

/** A stand-in engine process: answers 'echo', crashes on 'crash', never answers 'hang'. */
class FakeChild implements EngineChild {
  static count = 0;
  readonly pid = ++FakeChild.count;
  private onMsg: (m: unknown) => void = () => undefined;
  private readonly exitListeners: ((code: number | null, signal: string | null) => void)[] = [];
  alive = true;
  constructor(private readonly startupFails = false) {
    setTimeout(() => (this.startupFails ? this.exit(1, null) : this.onMsg({ type: 'ready' })), 1);
  }
  send(m: WireMessage) {
    if (!this.alive || m.type !== 'invoke') return;
    if (m.name === 'crash') setTimeout(() => this.exit(null, 'SIGSEGV'), 1);
    else if (m.name === 'echo') setTimeout(() => this.onMsg({ type: 'result', id: m.id, result: { ok: true, value: { pid: this.pid, input: m.input } } }), 1);
  }
  onMessage(l: (m: unknown) => void) {
    this.onMsg = l;
  }
  onExit(l: (code: number | null, signal: string | null) => void) {
    this.exitListeners.push(l);
  }
  kill() {
    this.exit(null, 'SIGKILL');
  }
  emit(name: string, payload: unknown) {
    this.onMsg({ type: 'event', name, payload });
  }
  private exit(code: number | null, signal: string | null) {
    if (!this.alive) return;
    this.alive = false;
    for (const l of this.exitListeners) l(code, signal);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('EngineSupervisor', () => {
  it('queues requests until the engine is ready, then answers them', async () => {
    const sup = new EngineSupervisor(() => new FakeChild());
    const early = sup.invoke('echo', { a: 1 });
    sup.start();
    expect(await early).toMatchObject({ ok: true, value: { input: { a: 1 } } });
    expect(sup.status.state).toBe('ready');
    await sup.stop();
    expect(sup.status.state).toBe('stopped');
  });

  it('answers requests in flight with an error value when the engine crashes, tells the UI, and restarts', async () => {
    const children: FakeChild[] = [];
    const sup = new EngineSupervisor(() => (children.push(new FakeChild()), children[children.length - 1]), { restartDelayMs: 5 });
    const statuses: string[] = [];
    sup.onEvent((name, payload) => name === 'engine.status' && statuses.push((payload as { state: string }).state));
    sup.start();
    const hung = sup.invoke('hang', {});
    const crashed = sup.invoke('crash', {});
    expect(await hung).toMatchObject({ ok: false, error: { code: 'engine_restarted' } });
    expect(await crashed).toMatchObject({ ok: false, error: { code: 'engine_restarted' } });
    const after = await sup.invoke('echo', {});
    expect(after).toMatchObject({ ok: true, value: { pid: children[1].pid } });
    expect(statuses).toEqual(['ready', 'restarting', 'ready']);
    expect(sup.status.restarts).toBe(1);
    expect(sup.status.reason).toMatch(/SIGSEGV/);
    await sup.stop();
  });

  it('forwards engine events and unsubscribes', async () => {
    let child!: FakeChild;
    const sup = new EngineSupervisor(() => (child = new FakeChild()));
    const seen: string[] = [];
    const off = sup.onEvent((name) => seen.push(name));
    sup.start();
    await sup.invoke('echo', {});
    child.emit('jobs.update', { type: 'queued' });
    off();
    child.emit('jobs.update', { type: 'queued' });
    expect(seen).toEqual(['engine.status', 'jobs.update']);
    await sup.stop();
  });

  it('gives up after repeated crashes and says so instead of looping', async () => {
    const sup = new EngineSupervisor(() => new FakeChild(true), { restartDelayMs: 1, maxRestarts: 2 });
    sup.start();
    const pending = sup.invoke('echo', {});
    for (let i = 0; i < 100 && sup.status.state !== 'stopped'; i++) await sleep(5);
    expect(sup.status.state).toBe('stopped');
    expect(sup.status.reason).toMatch(/keeps stopping/);
    expect(await pending).toMatchObject({ ok: false, error: { code: 'engine_stopped' } });
    expect(await sup.invoke('echo', {})).toMatchObject({ ok: false, error: { code: 'engine_stopped' } });
  });
});
