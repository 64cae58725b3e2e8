import {
  IndexPartialSchema,
  IndexSummarySchema,
  type ErrorValue,
  type IndexFailure,
  type IndexSummary,
  type JobInfo,
  type JobKind,
  type JobProgress,
  type JobState,
  type JobUpdate,
} from '../../../preload/contract';
import type { Host } from '../lib/transport';
import type { NoticeStore } from './notices.svelte';

/** Failures kept per job for the list (the count keeps going). */
const FAILURE_LIST_LIMIT = 300;

export interface JobView {
  id: string;
  kind: JobKind;
  state: JobState;
  progress: JobProgress | null;
  failures: IndexFailure[];
  failureCount: number;
  summary: IndexSummary | null;
  error: ErrorValue | null;
  createdAt: number;
  /** Ended jobs stay on screen until dismissed. */
  dismissed: boolean;
  cancelling: boolean;
}

const ACTIVE: JobState[] = ['queued', 'running'];

/**
 * Index and embed jobs as the user sees them: rebuilt from `jobs.list` on load (running, queued,
 * and an interrupted job nothing has resumed yet), then kept current by `jobs.update` events.
 */
export class JobsStore {
  jobs = $state<JobView[]>([]);
  visible = $derived(this.jobs.filter((j) => !j.dismissed));
  active = $derived(this.jobs.some((j) => ACTIVE.includes(j.state)));
  /** Called when a job ends (done, failed, cancelled). */
  onEnded: (job: JobView) => void = () => undefined;

  constructor(
    private readonly host: Host,
    private readonly notices: NoticeStore,
  ) {}

  async load(): Promise<void> {
    const r = await this.host.transport.invoke('jobs.list', {});
    if (!r.ok) return;
    // Generate and export jobs belong to their own screens; this pane shows library work.
    const list = r.value.filter((j) => j.kind === 'index' || j.kind === 'embed').sort((a, b) => a.createdAt - b.createdAt);
    const newest = list.at(-1);
    // An interrupted job matters only while nothing newer has resumed the work.
    const keep = list.filter((j) => {
      if (ACTIVE.includes(j.state)) return true;
      if (j.state === 'interrupted') return j === newest;
      return this.jobs.some((v) => v.id === j.id && !v.dismissed); // ended during this session
    });
    const views = keep.map((info) => this.fromInfo(info, this.jobs.find((v) => v.id === info.id)));
    this.jobs = views;
  }

  apply(u: JobUpdate): void {
    let job = this.jobs.find((j) => j.id === u.jobId);
    if (!job) {
      // A new job: finished ones with nothing to report make room for it.
      for (const j of this.jobs) if (!ACTIVE.includes(j.state) && j.state !== 'interrupted' && !j.failureCount && !j.error) j.dismissed = true;
      this.jobs.push(this.blank(u.jobId, u.kind));
      job = this.jobs.at(-1)!;
    }
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
        const p = IndexPartialSchema.safeParse(u.data);
        if (p.success) {
          job.failureCount++;
          if (job.failures.length < FAILURE_LIST_LIMIT) job.failures.push(p.data.failure);
        }
        break;
      }
      case 'done': {
        job.state = 'done';
        const s = IndexSummarySchema.safeParse(u.result);
        if (s.success) {
          job.summary = s.data;
          job.failures = s.data.failed.slice(0, FAILURE_LIST_LIMIT);
          job.failureCount = s.data.failed.length;
        }
        if (job.progress) job.progress = { ...job.progress, fraction: 1 };
        this.ended(job);
        break;
      }
      case 'failed':
        job.state = 'failed';
        job.error = u.error;
        this.ended(job);
        break;
      case 'cancelled':
        job.state = 'cancelled';
        this.ended(job);
        break;
    }
  }

  async cancel(id: string): Promise<void> {
    const job = this.jobs.find((j) => j.id === id);
    if (job) job.cancelling = true;
    const r = await this.host.transport.invoke('jobs.cancel', { jobId: id });
    if (!r.ok) {
      this.notices.push(r.error.message, 'error');
      if (job) job.cancelling = false;
    } else if (!r.value.cancelled && job) {
      // Already over, or interrupted by a restart and not running here: just take it off.
      job.cancelling = false;
      if (job.state === 'interrupted') job.dismissed = true;
    }
  }

  /** Starts indexing every folder again (what resuming an interrupted job means). */
  async resume(id: string): Promise<void> {
    const r = await this.host.transport.invoke('library.index', {});
    if (!r.ok) {
      this.notices.push(r.error.message, 'error');
      return;
    }
    this.dismiss(id);
  }

  dismiss(id: string): void {
    const job = this.jobs.find((j) => j.id === id);
    if (job) job.dismissed = true;
  }

  private ended(job: JobView): void {
    job.cancelling = false;
    this.onEnded(job);
  }

  private blank(id: string, kind: JobKind): JobView {
    return {
      id,
      kind,
      state: 'queued',
      progress: null,
      failures: [],
      failureCount: 0,
      summary: null,
      error: null,
      createdAt: Date.now(),
      dismissed: false,
      cancelling: false,
    };
  }

  private fromInfo(info: JobInfo, prev: JobView | undefined): JobView {
    const summary = IndexSummarySchema.safeParse(info.result);
    const view = prev ? { ...$state.snapshot(prev) } : this.blank(info.id, info.kind);
    view.state = info.state;
    view.progress = info.progress ?? view.progress;
    view.error = info.error;
    view.createdAt = info.createdAt;
    if (summary.success) {
      view.summary = summary.data;
      view.failures = summary.data.failed.slice(0, FAILURE_LIST_LIMIT);
      view.failureCount = summary.data.failed.length;
    } else if (!prev && info.progress?.stage === 'index') {
      const failed = Number((info.progress.detail as { failed?: unknown }).failed ?? 0);
      view.failureCount = Number.isFinite(failed) ? failed : 0;
    }
    return view;
  }
}
