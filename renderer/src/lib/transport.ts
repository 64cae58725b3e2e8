/**
 * The renderer's one door to the app: `invoke` a contract channel, subscribe to a contract event.
 * Two implementations of the same interface:
 *  - Electron: the preload's `window.cuebank = { invoke, on }` (contextBridge);
 *  - the web bridge: the wire protocol (preload/contract/wire.ts) over a WebSocket to /ws, with
 *    reconnection and backoff.
 * Results are values, never thrown: `{ ok: true, value } | { ok: false, error: { code, message } }`.
 * Event payloads are parsed with the contract's schemas before any listener sees them.
 */
import {
  events as eventSchemas,
  type ChannelInput,
  type ChannelName,
  type ChannelOutput,
  type ErrorValue,
  type EventName,
  type EventPayload,
  type Result,
  type WireMessage,
  type WireRequest,
} from '../../../preload/contract';

export interface Transport {
  invoke<N extends ChannelName>(name: N, input: ChannelInput<N>): Promise<Result<ChannelOutput<N>>>;
  /** Returns the unsubscribe function. */
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

export type HostKind = 'electron' | 'bridge';

/** 'open' always in Electron; the bridge's WebSocket may drop and come back. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting';

/** What the rest of the renderer knows about where it runs. */
export interface Host {
  readonly kind: HostKind;
  readonly transport: Transport;
  /** The URL an <audio> element streams a library file from (the host checks the path first). */
  mediaUrl(path: string): string;
  /**
   * Connection changes, and each failed reconnect attempt (`attempts` counts them); called at once
   * with the current state. Returns the unsubscribe function.
   */
  onConnection(listener: (state: ConnectionState, attempts: number) => void): () => void;
}

/** What the Electron preload exposes (preload/index.ts). */
export interface PreloadApi {
  invoke(name: string, input?: unknown): Promise<unknown>;
  on(event: string, listener: (payload: unknown) => void): () => void;
}

declare global {
  interface Window {
    cuebank?: PreloadApi;
  }
}

const fail = (code: string, message: string): { ok: false; error: ErrorValue } => ({ ok: false, error: { code, message } });

/** Anything that is not a result value becomes an error value: the renderer never sees a throw. */
function asResult(raw: unknown): Result<unknown> {
  if (raw && typeof raw === 'object' && 'ok' in raw) {
    const r = raw as { ok: unknown; value?: unknown; error?: unknown };
    if (r.ok === true) return { ok: true, value: r.value };
    if (r.ok === false && r.error && typeof r.error === 'object') {
      const e = r.error as Partial<ErrorValue>;
      return fail(String(e.code ?? 'internal'), String(e.message ?? 'Unknown error'));
    }
  }
  return fail('internal', 'The host sent a malformed reply');
}

/** Listeners per event name, with payloads parsed by the contract's event schemas. */
class EventHub {
  private readonly listeners = new Map<string, Set<(payload: unknown) => void>>();

  constructor(private readonly firstListener: (name: EventName) => void = () => undefined) {}

  add(name: EventName, listener: (payload: unknown) => void): () => void {
    if (!Object.hasOwn(eventSchemas, name)) throw new TypeError(`Unknown event: ${String(name)}`);
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
      this.firstListener(name);
    }
    set.add(listener);
    return () => void set.delete(listener);
  }

  deliver(name: string, payload: unknown): void {
    const set = this.listeners.get(name);
    if (!set?.size || !Object.hasOwn(eventSchemas, name)) return;
    const parsed = eventSchemas[name as EventName].safeParse(payload);
    if (!parsed.success) {
      console.warn(`cuebank: dropped a malformed '${name}' event`);
      return;
    }
    for (const l of [...set]) {
      try {
        l(parsed.data);
      } catch (err) {
        console.error(err);
      }
    }
  }
}

/** The Electron host: the preload's object, wrapped so results are always values. */
export class PreloadTransport implements Transport {
  private readonly hub: EventHub;

  constructor(private readonly api: PreloadApi) {
    // One preload subscription per event name, fanned out here.
    this.hub = new EventHub((name) => api.on(name, (payload) => this.hub.deliver(name, payload)));
  }

  async invoke<N extends ChannelName>(name: N, input: ChannelInput<N>): Promise<Result<ChannelOutput<N>>> {
    try {
      return asResult(await this.api.invoke(name, input)) as Result<ChannelOutput<N>>;
    } catch (err) {
      return fail('internal', err instanceof Error ? err.message : String(err));
    }
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    return this.hub.add(event, listener as (payload: unknown) => void);
  }
}

/** The subset of the DOM WebSocket the bridge transport uses (tests may pass a fake). */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((ev: Event) => unknown) | null;
  onclose: ((ev: CloseEvent) => unknown) | null;
  onerror: ((ev: Event) => unknown) | null;
  onmessage: ((ev: MessageEvent) => unknown) | null;
  send(data: string): void;
  close(): void;
}

export interface BridgeTransportOptions {
  /** Creates a socket; defaults to the browser's WebSocket. */
  connect?: (url: string) => SocketLike;
  /** First reconnect delay; doubles on each failure up to maxDelayMs (with jitter). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A request made while disconnected waits this long for the connection, then fails. */
  queueTimeoutMs?: number;
}

interface Queued {
  request: WireRequest;
  resolve: (r: Result<unknown>) => void;
  timer: ReturnType<typeof setTimeout>;
}

const OPEN = 1;

/**
 * The web bridge host: the wire protocol over one WebSocket. Requests sent while the socket is
 * down wait (up to queueTimeoutMs) and go out when it is back; requests in flight when it drops
 * fail with code 'disconnected' (they may or may not have run, so they are not sent twice).
 */
export class BridgeTransport implements Transport {
  private socket: SocketLike | null = null;
  private nextId = 1;
  private readonly inFlight = new Map<number, (r: Result<unknown>) => void>();
  private readonly queue: Queued[] = [];
  private readonly hub = new EventHub();
  private readonly connectionListeners = new Set<(state: ConnectionState, attempts: number) => void>();
  private failures = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  private current: ConnectionState = 'connecting';
  private readonly opts: Required<BridgeTransportOptions>;

  constructor(
    private readonly url: string,
    options: BridgeTransportOptions = {},
  ) {
    this.opts = {
      connect: (u) => new WebSocket(u),
      baseDelayMs: 250,
      maxDelayMs: 5000,
      queueTimeoutMs: 15_000,
      ...options,
    };
    this.open();
  }

  get state(): ConnectionState {
    return this.current;
  }

  invoke<N extends ChannelName>(name: N, input: ChannelInput<N>): Promise<Result<ChannelOutput<N>>> {
    if (this.closed) return Promise.resolve(fail('disconnected', 'The connection to Cuebank is closed'));
    const request: WireRequest = { type: 'invoke', id: this.nextId++, name, input };
    return new Promise<Result<unknown>>((resolve) => {
      if (this.socket && this.socket.readyState === OPEN) {
        this.send(request, resolve);
        return;
      }
      const timer = setTimeout(() => {
        const i = this.queue.findIndex((q) => q.request.id === request.id);
        if (i >= 0) this.queue.splice(i, 1);
        resolve(fail('disconnected', 'Cuebank is not reachable: the bridge connection is down'));
      }, this.opts.queueTimeoutMs);
      this.queue.push({ request, resolve, timer });
    }) as Promise<Result<ChannelOutput<N>>>;
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    return this.hub.add(event, listener as (payload: unknown) => void);
  }

  onConnection(listener: (state: ConnectionState, attempts: number) => void): () => void {
    this.connectionListeners.add(listener);
    listener(this.current, this.failures);
    return () => void this.connectionListeners.delete(listener);
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.socket?.close();
    this.dropInFlight();
    for (const q of this.queue.splice(0)) {
      clearTimeout(q.timer);
      q.resolve(fail('disconnected', 'The connection to Cuebank is closed'));
    }
  }

  private send(request: WireRequest, resolve: (r: Result<unknown>) => void): void {
    this.inFlight.set(request.id, resolve);
    try {
      this.socket!.send(JSON.stringify(request));
    } catch (err) {
      this.inFlight.delete(request.id);
      resolve(fail('disconnected', err instanceof Error ? err.message : 'The request could not be sent'));
    }
  }

  private setState(state: ConnectionState): void {
    if (state === this.current && state !== 'reconnecting') return;
    this.current = state;
    for (const l of [...this.connectionListeners]) l(state, this.failures);
  }

  private open(): void {
    if (this.closed) return;
    let socket: SocketLike;
    try {
      socket = this.opts.connect(this.url);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (socket !== this.socket) return;
      this.failures = 0;
      this.setState('open');
      for (const q of this.queue.splice(0)) {
        clearTimeout(q.timer);
        this.send(q.request, q.resolve);
      }
    };
    socket.onmessage = (ev) => {
      if (socket !== this.socket) return;
      this.receive(ev.data);
    };
    socket.onerror = () => undefined; // onclose follows and decides
    socket.onclose = () => {
      if (socket !== this.socket) return;
      this.socket = null;
      this.dropInFlight();
      if (!this.closed) this.scheduleRetry();
    };
  }

  private receive(data: unknown): void {
    let message: WireMessage;
    try {
      message = JSON.parse(String(data)) as WireMessage;
    } catch {
      return;
    }
    if (message?.type === 'result') {
      const resolve = this.inFlight.get(message.id);
      this.inFlight.delete(message.id);
      resolve?.(asResult(message.result));
    } else if (message?.type === 'event' && typeof message.name === 'string') {
      this.hub.deliver(message.name, message.payload);
    }
  }

  private dropInFlight(): void {
    const lost = fail('disconnected', 'The connection to Cuebank dropped before the answer came; try again');
    for (const resolve of this.inFlight.values()) resolve(lost);
    this.inFlight.clear();
  }

  private scheduleRetry(): void {
    const exp = Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** this.failures);
    this.failures++;
    this.setState('reconnecting');
    const delay = exp / 2 + Math.random() * (exp / 2);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.open();
    }, delay);
  }

}

/** ws://<host>/ws, carrying the ?token= of the page's address when there is one. */
export function bridgeSocketUrl(location: Pick<Location, 'protocol' | 'host' | 'search'>): string {
  const token = new URLSearchParams(location.search).get('token');
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
}

/** cuebank-media://media/?path=… (Electron) or /media?path=… (the bridge). */
export function mediaUrlFor(kind: HostKind, path: string): string {
  const q = `path=${encodeURIComponent(path)}`;
  return kind === 'electron' ? `cuebank-media://media/?${q}` : `/media?${q}`;
}

/** Picks the host: the preload's object in Electron, otherwise the web bridge of this page's origin. */
export function createHost(win: Window = window): Host {
  if (win.cuebank) {
    const transport = new PreloadTransport(win.cuebank);
    return {
      kind: 'electron',
      transport,
      mediaUrl: (p) => mediaUrlFor('electron', p),
      onConnection: (listener) => {
        listener('open', 0);
        return () => undefined;
      },
    };
  }
  const transport = new BridgeTransport(bridgeSocketUrl(win.location));
  return {
    kind: 'bridge',
    transport,
    mediaUrl: (p) => mediaUrlFor('bridge', p),
    onConnection: (listener) => transport.onConnection(listener),
  };
}
