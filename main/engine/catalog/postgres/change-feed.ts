/**
 * Listens to a team catalog's change feed (migration 003) on a connection of its own, and keeps
 * listening: when the server goes away the feed says it is offline and reconnects by itself with
 * exponential backoff (with jitter, capped), then says it is online again and asks its owner to
 * catch up, since notifications sent while it was away are lost by design.
 */
import { EventEmitter } from 'node:events';
import pg from 'pg';

export type TeamChange = { kind: 'tags'; seq: number; fileId: number } | { kind: 'windows' };

export interface ChangeFeedOptions {
  /** First retry delay, ms; doubled per failure up to maxDelayMs. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

export interface ChangeFeedEvents {
  change: [TeamChange];
  /** Connected (first time or again): catch up from the last sequence seen. */
  online: [];
  offline: [Error];
}

export class TeamChangeFeed extends EventEmitter<ChangeFeedEvents> {
  private client: pg.Client | null = null;
  private closed = false;
  private failures = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly minDelay: number;
  private readonly maxDelay: number;

  constructor(
    private readonly url: string,
    opts: ChangeFeedOptions = {},
  ) {
    super();
    this.minDelay = opts.minDelayMs ?? 500;
    this.maxDelay = opts.maxDelayMs ?? 30_000;
  }

  get online(): boolean {
    return this.client !== null;
  }

  /** Starts listening; resolves once connected or after the first failure (the feed keeps retrying). */
  start(): Promise<void> {
    return this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.url, application_name: 'cuebank-feed', connectionTimeoutMillis: 10_000 });
    let lost = false;
    const onLost = (err: Error) => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = null;
      client.end().catch(() => undefined);
      if (this.closed) return;
      this.emit('offline', err);
      this.retry();
    };
    client.on('error', onLost);
    client.on('end', () => onLost(new Error('The team library closed the connection')));
    client.on('notification', (n) => {
      if (n.channel !== 'cuebank_changes' || !n.payload) return;
      try {
        this.emit('change', JSON.parse(n.payload) as TeamChange);
      } catch {
        // A payload this build does not understand: ignore it, the next catch-up covers it.
      }
    });
    try {
      await client.connect();
      await client.query('LISTEN cuebank_changes');
    } catch (err) {
      onLost(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.failures = 0;
    this.emit('online');
  }

  private retry(): void {
    const base = Math.min(this.maxDelay, this.minDelay * 2 ** this.failures++);
    const delay = base / 2 + Math.random() * (base / 2);
    this.timer = setTimeout(() => void this.connect(), delay);
  }
}
