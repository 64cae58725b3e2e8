import type { EngineStatus, Result, WireMessage } from '../../preload/contract';

/** What a host needs of the engine process, whatever started it (utilityProcess or fork). */
export interface EngineChild {
  readonly pid: number | undefined;
  send(message: WireMessage): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  kill(): void;
}

export type SpawnEngine = () => EngineChild;

export interface SupervisorOptions {
  /** Wait before starting again after a crash (doubles on crashes in a row, up to 5 s). */
  restartDelayMs?: number;
  /** Crashes within `windowMs` after which the supervisor gives up and reports 'stopped'. */
  maxRestarts?: number;
  windowMs?: number;
}

type EventListener = (name: string, payload: unknown) => void;

interface Pending {
  resolve: (r: Result<unknown>) => void;
  name: string;
  input: unknown;
}

/**
 * Runs the engine in its own process and keeps it running: requests wait while it starts, a crash
 * answers the requests in flight with an error value, the UI is told ('engine.status'), and a new
 * process starts, which resumes interrupted jobs from the database.
 */
export class EngineSupervisor {
  private child: EngineChild | null = null;
  private ready = false;
  private nextId = 1;
  private readonly inFlight = new Map<number, Pending>();
  private readonly waiting: { id: number; pending: Pending }[] = [];
  private readonly listeners = new Set<EventListener>();
  private crashes: number[] = [];
  private stopping = false;
  private current: EngineStatus = { state: 'starting', reason: null, restarts: 0 };
  private readonly opts: Required<SupervisorOptions>;

  constructor(
    private readonly spawn: SpawnEngine,
    options: SupervisorOptions = {},
  ) {
    this.opts = { restartDelayMs: 200, maxRestarts: 5, windowMs: 60_000, ...options };
  }

  get status(): EngineStatus {
    return this.current;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    this.stopping = false;
    this.launch();
  }

  /** Sends a request (already validated by the host) and resolves with the engine's result value. */
  invoke(name: string, input: unknown): Promise<Result<unknown>> {
    return new Promise((resolve) => {
      if (this.current.state === 'stopped') {
        resolve({ ok: false, error: { code: 'engine_stopped', message: this.current.reason ?? 'The engine is not running' } });
        return;
      }
      const id = this.nextId++;
      const pending = { resolve, name, input };
      if (this.ready && this.child) this.dispatch(id, pending);
      else this.waiting.push({ id, pending });
    });
  }

  /** Engine events and 'engine.status'; returns the unsubscribe function. */
  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill(), 5000);
      child.onExit(() => {
        clearTimeout(timer);
        resolve();
      });
      child.kill();
    });
  }

  private launch(): void {
    this.ready = false;
    const child = this.spawn();
    this.child = child;
    child.onMessage((raw) => this.receive(child, raw));
    child.onExit((code, signal) => this.exited(child, code, signal));
  }

  private receive(child: EngineChild, raw: unknown): void {
    if (child !== this.child) return;
    const message = raw as WireMessage | { type: 'ready' } | { type: 'fatal'; message: string };
    if (message.type === 'ready') {
      this.ready = true;
      this.setStatus({ state: 'ready', reason: this.current.state === 'restarting' ? this.current.reason : null, restarts: this.current.restarts });
      for (const { id, pending } of this.waiting.splice(0)) this.dispatch(id, pending);
    } else if (message.type === 'fatal') {
      this.current = { ...this.current, reason: message.message };
    } else if (message.type === 'result') {
      const pending = this.inFlight.get(message.id);
      this.inFlight.delete(message.id);
      pending?.resolve(message.result);
    } else if (message.type === 'event') {
      this.emit(message.name, message.payload);
    }
  }

  private dispatch(id: number, pending: Pending): void {
    this.inFlight.set(id, pending);
    this.child!.send({ type: 'invoke', id, name: pending.name, input: pending.input });
  }

  private exited(child: EngineChild, code: number | null, signal: string | null): void {
    if (child !== this.child) return;
    this.child = null;
    this.ready = false;
    const lost = { ok: false as const, error: { code: 'engine_restarted', message: 'The engine stopped while handling this request; it is starting again.' } };
    for (const p of this.inFlight.values()) p.resolve(lost);
    this.inFlight.clear();
    if (this.stopping) {
      this.setStatus({ state: 'stopped', reason: null, restarts: this.current.restarts });
      return;
    }
    const now = Date.now();
    this.crashes = [...this.crashes.filter((t) => now - t < this.opts.windowMs), now];
    const why = this.current.reason && this.current.state !== 'ready' ? this.current.reason : signal ? `stopped by ${signal}` : `exited with code ${code}`;
    if (this.crashes.length > this.opts.maxRestarts) {
      this.setStatus({ state: 'stopped', reason: `The engine keeps stopping (${why}); restart Cuebank.`, restarts: this.current.restarts });
      for (const { pending } of this.waiting.splice(0)) pending.resolve({ ok: false, error: { code: 'engine_stopped', message: why } });
      return;
    }
    this.setStatus({ state: 'restarting', reason: `The engine ${why}; restarting. Nothing is lost: unfinished jobs resume.`, restarts: this.current.restarts + 1 });
    const delay = Math.min(5000, this.opts.restartDelayMs * 2 ** (this.crashes.length - 1));
    setTimeout(() => {
      if (!this.stopping) this.launch();
    }, delay);
  }

  private setStatus(status: EngineStatus): void {
    this.current = status;
    this.emit('engine.status', status);
  }

  private emit(name: string, payload: unknown): void {
    for (const l of this.listeners) {
      try {
        l(name, payload);
      } catch {
        // one failing subscriber must not starve the others
      }
    }
  }
}
