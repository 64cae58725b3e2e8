import {
  TagPartialSchema,
  TagSummarySchema,
  type ErrorValue,
  type JobInfo,
  type JobProgress,
  type JobState,
  type JobUpdate,
  type Result,
  type TagFilter,
  type TagList,
  type TagRow,
  type TagSummary,
  type TagWritePlan,
  type TagWriteSummary,
} from '../../../preload/contract';
import { debounce } from '../lib/debounce';
import { changedFields, type TagDraft } from '../lib/tag-draft';
import type { Host } from '../lib/transport';
import type { NoticeStore } from './notices.svelte';

/** Rows fetched per page of the queue (the contract allows up to 1000). */
export const QUEUE_LIMIT = 500;
/** While a tag job runs, the queue re-reads at most this often so new suggestions appear. */
const LIVE_REFRESH_MS = 800;
const FAILURE_LIST_LIMIT = 300;
const ACTIVE: JobState[] = ['queued', 'running'];

type TagFailure = TagSummary['failed'][number];

/** The tag job as the tagging screen shows it: live progress, files tagged so far, failures, the summary. */
export interface TagJobView {
  id: string;
  state: JobState;
  progress: JobProgress | null;
  tagged: number;
  failures: TagFailure[];
  failureCount: number;
  summary: TagSummary | null;
  error: ErrorValue | null;
  cancelling: boolean;
}

/**
 * The review queue of suggested tags and the tag job. The queue is one filter of `tagging.list`
 * (untagged / suggested / accepted) under an optional folder; edits stay drafts (per file, so moving
 * away and back keeps them) until the artist accepts: an unchanged suggestion is accepted as it is
 * (`tagging.accept`), a changed one is saved as an edit (`tagging.set`, which the engine records as
 * accepted-with-edits). After every decision the queue re-reads and the selection moves to the next file.
 */
export class TaggingStore {
  filter = $state<TagFilter>('suggested');
  /** The folder the screen works on (tagging, the queue, accept-all-above); null: the whole library. */
  scope = $state<string | null>(null);
  /** Raw: rows are replaced whole on every read, never edited in place. */
  rows = $state.raw<TagRow[]>([]);
  total = $state(0);
  counts = $state<TagList['counts']>({ untagged: 0, suggested: 0, accepted: 0 });
  loaded = $state(false);
  loading = $state(false);
  error = $state<string | null>(null);
  selected = $state(-1);
  /** Bumped when the list should bring the selection into view. */
  revealTick = $state(0);
  drafts = $state<Record<number, TagDraft>>({});
  /** Accept-all-above threshold, 0..1. */
  threshold = $state(0.8);
  /** A decision (accept, reject, save) is on its way: the keys wait for it. */
  busy = $state(false);
  job = $state<TagJobView | null>(null);

  selectedRow = $derived(this.selected >= 0 ? (this.rows[this.selected] ?? null) : null);
  jobActive = $derived(this.job !== null && ACTIVE.includes(this.job.state));

  /** Called when accepted tags changed (the library list re-runs its query to show them). */
  onChanged: () => void = () => undefined;

  private seq = 0;
  private readonly refreshSoon = debounce(() => void this.load({ keepSelection: true }), LIVE_REFRESH_MS);

  constructor(
    private readonly host: Host,
    private readonly notices: NoticeStore,
  ) {}

  /** Reads the queue. keepSelection keeps the selected file selected if it is still listed; selectId selects that file. */
  async load(opts: { keepSelection?: boolean; selectId?: number | null } = {}): Promise<void> {
    const seq = ++this.seq;
    const keepId = opts.selectId !== undefined ? opts.selectId : opts.keepSelection ? (this.selectedRow?.fileId ?? null) : null;
    const keepIndex = this.selected;
    this.loading = true;
    const r = await this.host.transport.invoke('tagging.list', {
      filter: this.filter,
      ...(this.scope ? { folder: this.scope } : {}),
      limit: QUEUE_LIMIT,
    });
    if (seq !== this.seq) return;
    this.loading = false;
    this.loaded = true;
    if (!r.ok) {
      this.error = r.error.message;
      return;
    }
    this.error = null;
    this.rows = r.value.rows;
    this.total = r.value.total;
    this.counts = r.value.counts;
    const found = keepId !== null ? this.rows.findIndex((row) => row.fileId === keepId) : -1;
    // A file that left the filter (accepted, rejected) hands the selection to the one now in its place.
    this.selected = found >= 0 ? found : this.rows.length ? Math.min(Math.max(0, keepIndex), this.rows.length - 1) : -1;
    this.revealTick++;
  }

  setFilter(filter: TagFilter): void {
    if (filter === this.filter) return;
    this.filter = filter;
    this.selected = -1;
    void this.load();
  }

  setScope(folder: string | null): void {
    this.scope = folder;
    this.selected = -1;
    void this.load();
  }

  select(index: number, reveal = true): void {
    if (!this.rows.length) return;
    this.selected = Math.min(this.rows.length - 1, Math.max(0, index));
    if (reveal) this.revealTick++;
  }

  next(): void {
    this.select(this.selected < 0 ? 0 : this.selected + 1);
  }

  previous(): void {
    this.select(this.selected - 1);
  }

  draftOf(fileId: number): TagDraft | undefined {
    return this.drafts[fileId];
  }

  edit(fileId: number, patch: TagDraft): void {
    this.drafts[fileId] = { ...this.drafts[fileId], ...patch };
  }

  discard(fileId: number): void {
    delete this.drafts[fileId];
  }

  /** Whether the file's draft differs from its tag. */
  isEdited(row: TagRow): boolean {
    return Object.keys(changedFields(row, this.drafts[row.fileId])).length > 0;
  }

  /**
   * Accepts the selected file: with edits, saves them (an edited tag counts as accepted); without,
   * accepts its suggestion. A file with neither moves on. Returns whether anything was saved.
   */
  async accept(row = this.selectedRow): Promise<boolean> {
    if (!row || this.busy) return false;
    const changes = changedFields(row, this.drafts[row.fileId]);
    const edited = Object.keys(changes).length > 0;
    if (!edited && row.source !== 'suggested') {
      this.next();
      return false;
    }
    this.busy = true;
    try {
      const r = edited
        ? await this.host.transport.invoke('tagging.set', { fileId: row.fileId, ...changes })
        : await this.host.transport.invoke('tagging.accept', { fileIds: [row.fileId] });
      if (!r.ok) {
        this.notices.push(r.error.message, 'error');
        return false;
      }
      this.discard(row.fileId);
      await this.afterDecision(row);
      return true;
    } finally {
      this.busy = false;
    }
  }

  /**
   * Rejects the selected file's suggestion: no tag, and no new suggestion until its audio changes.
   * Only suggestions: the engine leaves accepted, edited and file-carried tags alone.
   */
  async reject(row = this.selectedRow): Promise<boolean> {
    if (!row || this.busy || row.source !== 'suggested') return false;
    this.busy = true;
    try {
      const r = await this.host.transport.invoke('tagging.reject', { fileIds: [row.fileId] });
      if (!r.ok) {
        this.notices.push(r.error.message, 'error');
        return false;
      }
      this.discard(row.fileId);
      await this.afterDecision(row);
      return true;
    } finally {
      this.busy = false;
    }
  }

  /** Accepts every suggestion at or above the threshold (in the scope). */
  async acceptAbove(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const r = await this.host.transport.invoke('tagging.acceptAbove', {
        confidence: this.threshold,
        ...(this.scope ? { folder: this.scope } : {}),
      });
      if (!r.ok) {
        this.notices.push(r.error.message, 'error');
        return;
      }
      const pct = Math.round(this.threshold * 100);
      this.notices.push(
        r.value.accepted ? `Accepted ${r.value.accepted} suggestion${r.value.accepted === 1 ? '' : 's'} at ${pct}% or more.` : `No suggestion reaches ${pct}%.`,
      );
      await this.load({ keepSelection: true });
      if (r.value.accepted) this.onChanged();
    } finally {
      this.busy = false;
    }
  }

  /**
   * What writing the accepted tags of `paths` (files or folders) into the files would change, per file
   * and field; nothing is written. The engine leaves out files whose tag is not accepted or edited.
   */
  writePlan(paths: string[]): Promise<Result<TagWritePlan>> {
    return this.host.transport.invoke('tagging.writePlan', { paths });
  }

  /** Writes the accepted tags of `paths` into the files (each through a verified temporary), optionally keeping a backup copy. */
  async writeFiles(paths: string[], backup: boolean): Promise<Result<TagWriteSummary>> {
    const r = await this.host.transport.invoke('tagging.write', { paths, backup });
    // Written files are re-read into the index: the queue and the library list may show them differently.
    if (r.ok && r.value.written.length) {
      await this.load({ keepSelection: true });
      this.onChanged();
    }
    return r;
  }

  /** Starts a tag job on the scope (a folder, or the whole library). */
  async start(): Promise<void> {
    const r = await this.host.transport.invoke('tagging.start', this.scope ? { folders: [this.scope] } : {});
    if (!r.ok) {
      this.notices.push(r.error.message, 'error');
      return;
    }
    if (this.job?.id !== r.value.jobId) this.job = this.blank(r.value.jobId);
  }

  async cancel(): Promise<void> {
    const job = this.job;
    if (!job) return;
    job.cancelling = true;
    const r = await this.host.transport.invoke('jobs.cancel', { jobId: job.id });
    if (!r.ok) this.notices.push(r.error.message, 'error');
    if (!r.ok || !r.value.cancelled) job.cancelling = false;
  }

  dismissJob(): void {
    if (!this.jobActive) this.job = null;
  }

  /** After a start or reconnect: the tag job still running (or interrupted), if any. */
  async loadJob(): Promise<void> {
    const r = await this.host.transport.invoke('jobs.list', {});
    if (!r.ok) return;
    const newest = r.value.filter((j) => j.kind === 'tag').sort((a, b) => a.createdAt - b.createdAt).at(-1);
    if (!newest) return;
    if (ACTIVE.includes(newest.state) || newest.state === 'interrupted' || this.job?.id === newest.id) this.job = this.fromInfo(newest);
  }

  /** A `jobs.update` of kind 'tag'. */
  apply(u: JobUpdate): void {
    if (!this.job || this.job.id !== u.jobId) this.job = this.blank(u.jobId);
    const job = this.job;
    switch (u.type) {
      case 'queued':
        job.state = 'queued';
        break;
      case 'progress':
        job.state = 'running';
        job.progress = u.progress;
        break;
      case 'partial': {
        job.state = 'running';
        const p = TagPartialSchema.safeParse(u.data);
        if (!p.success) break;
        if (p.data.tagged) {
          job.tagged++;
          // At most one re-read per interval, however fast files arrive.
          if (!this.refreshSoon.pending) this.refreshSoon();
        }
        if (p.data.failure) {
          job.failureCount++;
          if (job.failures.length < FAILURE_LIST_LIMIT) job.failures.push(p.data.failure);
        }
        break;
      }
      case 'done': {
        job.state = 'done';
        const s = TagSummarySchema.safeParse(u.result);
        if (s.success) {
          job.summary = s.data;
          job.tagged = s.data.tagged;
          job.failures = s.data.failed.slice(0, FAILURE_LIST_LIMIT);
          job.failureCount = s.data.failed.length;
        }
        if (job.progress) job.progress = { ...job.progress, fraction: 1 };
        this.ended();
        break;
      }
      case 'failed':
        job.state = 'failed';
        job.error = u.error;
        this.ended();
        break;
      case 'cancelled':
        job.state = 'cancelled';
        this.ended();
        break;
    }
  }

  private ended(): void {
    if (this.job) this.job.cancelling = false;
    this.refreshSoon.cancel();
    void this.load({ keepSelection: true });
    // Files carrying their own CatID are tagged as accepted at once: the library may show new tags.
    this.onChanged();
  }

  private async afterDecision(row: TagRow): Promise<void> {
    const i = this.rows.findIndex((r) => r.fileId === row.fileId);
    // The next file in the queue gets the selection (the previous one at the end).
    const nextRow = i >= 0 ? (this.rows[i + 1] ?? this.rows[i - 1] ?? null) : null;
    const staysListed = this.filter === 'accepted';
    await this.load({ selectId: staysListed ? row.fileId : (nextRow?.fileId ?? null) });
    if (staysListed) this.next();
    this.onChanged();
  }

  private blank(id: string): TagJobView {
    return { id, state: 'queued', progress: null, tagged: 0, failures: [], failureCount: 0, summary: null, error: null, cancelling: false };
  }

  private fromInfo(info: JobInfo): TagJobView {
    const view = this.blank(info.id);
    view.state = info.state;
    view.progress = info.progress;
    view.error = info.error;
    const s = TagSummarySchema.safeParse(info.result);
    if (s.success) {
      view.summary = s.data;
      view.tagged = s.data.tagged;
      view.failures = s.data.failed.slice(0, FAILURE_LIST_LIMIT);
      view.failureCount = s.data.failed.length;
    }
    return view;
  }
}
