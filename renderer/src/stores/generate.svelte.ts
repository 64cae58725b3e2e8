import {
  GeneratePartialSchema,
  GenerateProgressDetailSchema,
  GenerateResultSchema,
  type CriticId,
  type ErrorValue,
  type GeneratePacks,
  type Generation,
  type GenerationDetail,
  type JobInfo,
  type JobProgress,
  type JobUpdate,
  type LoopReference,
  type ReferenceState,
  type RegenerationStrategyName,
  type Take,
} from '../../../preload/contract';
import type { Host } from '../lib/transport';
import type { NoticeStore } from './notices.svelte';

export type GeneratorPack = GeneratePacks['generators'][number];
export type CriticOption = GeneratePacks['critics'][number];
export type RunState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/** What the user sets before Start; null fields mean "the engine's default". */
export interface GenerateForm {
  prompt: string;
  packId: string | null;
  critic: CriticId;
  criticUrl: string;
  iterations: number;
  candidates: number;
  /** null: the best strategy the pack can run. */
  strategy: RegenerationStrategyName | null;
  /** null: a new random seed per generation. */
  seed: number | null;
  duration: number;
  /** null: the pack's default. */
  steps: number | null;
}

/** A generate job as the screen shows it (a start or a regeneration). */
export interface RunView {
  jobId: string;
  /** Known from the start reply, the job's params, or its first update. */
  generationId: string | null;
  state: RunState;
  progress: JobProgress | null;
  error: ErrorValue | null;
  cancelling: boolean;
  stopReason: 'all_present' | 'max_iterations' | null;
  /** Said by the loop when it did not end on its best take, or ended with events flagged. */
  note: string | null;
}

export interface RegenerateOptions {
  strategy?: RegenerationStrategyName;
  candidates?: number;
  moreIterations?: number;
}

const ACTIVE: RunState[] = ['queued', 'running'];
const STRATEGIES: RegenerationStrategyName[] = ['adapter', 'audio2audio', 'layer'];

/** The engine's order of takes: more events present, then a higher score (orchestrator.ts better()). */
export function betterTake(a: Take, b: Take): boolean {
  const present = (t: Take) => (t.critique?.events ?? []).filter((e) => e.verdict === 'present').length;
  if (present(a) !== present(b)) return present(a) > present(b);
  return (a.score ?? -Infinity) > (b.score ?? -Infinity);
}

/** The contract's detail object of a generate job's progress, or null when it is something else. */
export function progressDetail(p: JobProgress | null) {
  const d = GenerateProgressDetailSchema.safeParse(p?.detail);
  return d.success ? d.data : null;
}

/**
 * The generate screen's state: the settings form, the generator packs and critics, past
 * generations, the open generation with its takes and references, the selected take, A/B compare,
 * and the generate jobs (kept current by 'jobs.update' events of kind 'generate', whose 'partial'
 * updates bring each take the moment it is stored).
 */
export class GenerateStore {
  packs = $state.raw<GeneratePacks | null>(null);
  /** Why the packs could not be listed (shown instead of the picker). */
  packsError = $state<string | null>(null);
  form = $state<GenerateForm>({
    prompt: '',
    packId: null,
    critic: 'clap',
    criticUrl: '',
    iterations: 3,
    candidates: 1,
    strategy: null,
    seed: null,
    duration: 6,
    steps: null,
  });
  /** The last Start problem, shown under the button until the next try. */
  startError = $state<string | null>(null);
  starting = $state(false);

  generations = $state<Generation[]>([]);
  current = $state<GenerationDetail | null>(null);
  /** An open/regenerate/retrieve problem for the open generation. */
  error = $state<string | null>(null);
  selectedTakeId = $state<string | null>(null);
  /** New takes of a running loop are selected as they come until the user picks one. */
  following = $state(true);
  runs = $state<RunView[]>([]);
  compare = $state<{ a: string | null; b: string | null }>({ a: null, b: null });
  /** Takes that are being asked for references right now. */
  retrieving = $state<string | null>(null);
  regenerating = $state(false);

  pack = $derived(this.packs?.generators.find((p) => p.id === this.form.packId) ?? null);
  critic = $derived(this.packs?.critics.find((c) => c.id === this.form.critic) ?? null);
  takes = $derived(this.current?.takes ?? []);
  selectedTake = $derived(this.takes.find((t) => t.id === this.selectedTakeId) ?? null);
  /** The generation's best take: every regeneration of a loop starts from the best so far. */
  bestTake = $derived(this.takes.find((t) => t.id === this.current?.generation.bestTakeId) ?? null);
  selectedIndex = $derived(this.takes.findIndex((t) => t.id === this.selectedTakeId));
  /** The run of the open generation: the active one, else the latest of this session. */
  run = $derived.by(() => {
    const id = this.current?.generation.id;
    if (!id) return null;
    const mine = this.runs.filter((r) => r.generationId === id);
    return mine.find((r) => ACTIVE.includes(r.state)) ?? mine.at(-1) ?? null;
  });
  busy = $derived(this.runs.some((r) => ACTIVE.includes(r.state) && r.generationId === this.current?.generation.id));
  /** Why Start cannot run with these settings, in words; null when it can. */
  blocker = $derived.by(() => this.startBlocker());

  private openSeq = 0;

  constructor(
    private readonly host: Host,
    private readonly notices: NoticeStore,
  ) {}

  /** Packs, critics, defaults, past generations and generate jobs still running. */
  async load(): Promise<void> {
    await Promise.all([this.loadPacks(), this.loadList(), this.adoptRunningJobs()]);
    if (!this.current && this.generations.length) await this.open(this.generations[0].id);
    else if (this.current) await this.open(this.current.generation.id, { keepSelection: true });
  }

  async loadPacks(): Promise<void> {
    const r = await this.host.transport.invoke('generate.packs', {});
    if (!r.ok) {
      this.packsError = r.error.message;
      return;
    }
    const first = !this.packs;
    this.packs = r.value;
    this.packsError = null;
    if (first) this.applyDefaults(r.value);
    if (!r.value.generators.some((g) => g.id === this.form.packId)) this.form.packId = r.value.defaults.packId ?? r.value.generators[0]?.id ?? null;
    this.fitStrategy();
  }

  async loadList(): Promise<void> {
    const r = await this.host.transport.invoke('generate.list', {});
    if (r.ok) this.generations = r.value;
  }

  setPack(id: string): void {
    this.form.packId = id;
    this.fitStrategy();
  }

  /** Strategies the chosen pack can run (all three while packs are unknown). */
  strategiesOf(pack: GeneratorPack | null = this.pack): RegenerationStrategyName[] {
    return pack ? pack.strategies : STRATEGIES;
  }

  /** Starts a loop with the form's settings; returns the generation id, or null with `startError` set. */
  async start(): Promise<string | null> {
    const blocker = this.startBlocker();
    if (blocker) {
      this.startError = blocker;
      return null;
    }
    const f = this.form;
    this.starting = true;
    this.startError = null;
    try {
      const r = await this.host.transport.invoke('generate.start', {
        prompt: f.prompt.trim(),
        ...(f.packId ? { packId: f.packId } : {}),
        duration: f.duration,
        iterations: f.iterations,
        candidates: f.candidates,
        ...(f.strategy ? { strategy: f.strategy } : {}),
        critic: f.critic,
        ...(f.critic === 'lalm' ? { criticUrl: f.criticUrl.trim() } : {}),
        ...(f.seed !== null ? { seed: f.seed } : {}),
        ...(f.steps !== null ? { steps: f.steps } : {}),
      });
      if (!r.ok) {
        this.startError = r.error.message;
        return null;
      }
      const { jobId, generationId } = r.value;
      this.track(jobId, generationId);
      this.following = true;
      await Promise.all([this.open(generationId), this.loadList()]);
      return generationId;
    } finally {
      this.starting = false;
    }
  }

  /** Opens a generation (its takes, critiques and references); selects its best take. */
  async open(generationId: string, opts: { keepSelection?: boolean } = {}): Promise<boolean> {
    const seq = ++this.openSeq;
    const r = await this.host.transport.invoke('generate.get', { generationId });
    if (seq !== this.openSeq) return false;
    if (!r.ok) {
      this.error = r.error.message;
      return false;
    }
    const same = this.current?.generation.id === generationId;
    // Takes that arrived as partial updates while the request was out are kept.
    const early = same ? this.current!.takes.filter((t) => !r.value.takes.some((x) => x.id === t.id)) : [];
    this.current = { ...r.value, takes: [...r.value.takes, ...early] };
    this.error = null;
    if (!same) this.compare = { a: null, b: null };
    const keep = same && opts.keepSelection && this.takes.some((t) => t.id === this.selectedTakeId);
    if (!keep) {
      const running = this.busy && this.following;
      const pick = running ? this.takes.at(-1) : (this.takes.find((t) => t.id === r.value.generation.bestTakeId) ?? this.takes.at(-1));
      this.selectedTakeId = pick?.id ?? null;
    }
    return true;
  }

  select(takeId: string, byUser = true): void {
    if (!this.takes.some((t) => t.id === takeId)) return;
    this.selectedTakeId = takeId;
    if (byUser) this.following = false;
  }

  /** Moves the selection by `delta` takes (arrow keys), clamped. */
  move(delta: number): Take | null {
    if (!this.takes.length) return null;
    const i = Math.min(this.takes.length - 1, Math.max(0, (this.selectedIndex < 0 ? 0 : this.selectedIndex) + delta));
    this.select(this.takes[i].id);
    return this.takes[i];
  }

  /** References of one take (the take whose critique flagged their events). */
  referencesOf(takeId: string): LoopReference[] {
    return (this.current?.references ?? []).filter((r) => r.takeId === takeId);
  }

  async setReference(referenceId: number, state: ReferenceState): Promise<void> {
    const r = await this.host.transport.invoke('generate.setReference', { referenceId, state });
    if (!r.ok) {
      this.notices.push(r.error.message, 'error');
      return;
    }
    this.mergeReferences([r.value]);
  }

  /** Retrieves references for the take's flagged events now (the loop does it too when it goes on). */
  async retrieve(takeId: string): Promise<boolean> {
    this.retrieving = takeId;
    try {
      const r = await this.host.transport.invoke('generate.retrieve', { takeId });
      if (!r.ok) {
        this.error = r.error.message;
        return false;
      }
      this.error = null;
      this.mergeReferences(r.value);
      if (!r.value.length) this.notices.push('No library sound matched the flagged events: index sounds of them, or regenerate with the layer strategy.', 'warn', 9000);
      return true;
    } finally {
      this.retrieving = null;
    }
  }

  /** Regenerates from a take with its accepted references; the new takes branch from it. */
  async regenerate(takeId: string, opts: RegenerateOptions): Promise<boolean> {
    this.regenerating = true;
    try {
      const r = await this.host.transport.invoke('generate.regenerate', { takeId, ...opts });
      if (!r.ok) {
        this.error = r.error.message;
        return false;
      }
      this.error = null;
      this.track(r.value.jobId, this.current?.generation.id ?? null);
      this.following = true;
      return true;
    } finally {
      this.regenerating = false;
    }
  }

  async cancel(jobId: string): Promise<void> {
    const run = this.runs.find((r) => r.jobId === jobId);
    if (run) run.cancelling = true;
    const r = await this.host.transport.invoke('jobs.cancel', { jobId });
    if (!r.ok) {
      this.notices.push(r.error.message, 'error');
      if (run) run.cancelling = false;
    } else if (!r.value.cancelled && run) {
      // Already over (its end update is on the way) or left behind by a restart.
      run.cancelling = false;
      if (ACTIVE.includes(run.state)) run.state = 'cancelled';
    }
  }

  /** Deletes a generation with its take files. */
  async remove(generationId: string): Promise<boolean> {
    const r = await this.host.transport.invoke('generate.delete', { generationId });
    if (!r.ok) {
      this.notices.push(r.error.message, 'error');
      return false;
    }
    this.notices.push(`Deleted the generation and its ${r.value.removedTakes === 1 ? 'take' : `${r.value.removedTakes} takes`}.`);
    if (this.current?.generation.id === generationId) {
      this.current = null;
      this.selectedTakeId = null;
      this.compare = { a: null, b: null };
    }
    await this.loadList();
    if (!this.current && this.generations.length) await this.open(this.generations[0].id);
    return true;
  }

  /** Puts the take on side A or B of the comparison. */
  setCompare(side: 'a' | 'b', takeId: string | null): void {
    this.compare = { ...this.compare, [side]: takeId };
  }

  /** A 'jobs.update' of kind 'generate'. */
  apply(u: JobUpdate): void {
    if (u.kind !== 'generate') return;
    const run = this.runs.find((r) => r.jobId === u.jobId) ?? this.track(u.jobId, null);
    switch (u.type) {
      case 'queued':
        run.state = 'queued';
        break;
      case 'progress': {
        run.state = 'running';
        run.progress = u.progress;
        const d = u.progress.detail as { generationId?: unknown };
        if (!run.generationId && typeof d.generationId === 'string') run.generationId = d.generationId;
        break;
      }
      case 'partial': {
        run.state = 'running';
        const p = GeneratePartialSchema.safeParse(u.data);
        if (p.success) {
          run.generationId ??= p.data.generationId;
          this.partial(p.data);
        }
        break;
      }
      case 'done': {
        run.state = 'done';
        run.cancelling = false;
        const result = GenerateResultSchema.safeParse(u.result);
        if (result.success) {
          run.stopReason = result.data.stopReason;
          run.note = result.data.note ?? null;
          run.generationId ??= result.data.generationId;
        }
        if (run.progress) run.progress = { ...run.progress, fraction: 1 };
        void this.ended(run);
        break;
      }
      case 'failed':
        run.state = 'failed';
        run.cancelling = false;
        run.error = u.error;
        void this.ended(run);
        break;
      case 'cancelled':
        run.state = 'cancelled';
        run.cancelling = false;
        void this.ended(run);
        break;
    }
  }

  private partial(p: ReturnType<typeof GeneratePartialSchema.parse>): void {
    const cur = this.current;
    if (!cur || cur.generation.id !== p.generationId) {
      if (p.kind === 'take') void this.loadList();
      return;
    }
    if (p.kind === 'take') {
      if (!cur.takes.some((t) => t.id === p.take.id)) cur.takes.push(p.take);
      if (this.following || !this.selectedTakeId) this.selectedTakeId = p.take.id;
      for (const g of [cur.generation, this.generations.find((x) => x.id === p.generationId)]) {
        if (!g) continue;
        g.takeCount = Math.max(g.takeCount, cur.takes.length);
        const best = cur.takes.find((t) => t.id === g.bestTakeId);
        if (p.take.score !== null && (!best || betterTake(p.take, best))) {
          g.bestScore = p.take.score;
          g.bestTakeId = p.take.id;
        }
      }
    } else if (p.kind === 'chosen') {
      // Only the batch it was chosen from: a branch's iteration shares its number with another batch.
      const parentId = cur.takes.find((t) => t.id === p.takeId)?.parentId;
      for (const t of cur.takes) if (t.iteration === p.iteration && t.parentId === parentId) t.chosen = t.id === p.takeId;
    } else {
      this.mergeReferences(p.references);
    }
  }

  private async ended(run: RunView): Promise<void> {
    await this.loadList();
    if (run.generationId && this.current?.generation.id === run.generationId) {
      await this.open(run.generationId, { keepSelection: !this.following });
    }
    if (run.state === 'failed' && run.error) this.notices.push(`Generation failed: ${run.error.message}`, 'error', 10_000);
  }

  private mergeReferences(refs: readonly LoopReference[]): void {
    const cur = this.current;
    if (!cur) return;
    for (const ref of refs) {
      if (ref.generationId !== cur.generation.id) continue;
      const i = cur.references.findIndex((r) => r.id === ref.id);
      if (i >= 0) cur.references[i] = ref;
      else cur.references.push(ref);
    }
  }

  private track(jobId: string, generationId: string | null): RunView {
    let run = this.runs.find((r) => r.jobId === jobId);
    if (!run) {
      this.runs.push({ jobId, generationId, state: 'queued', progress: null, error: null, cancelling: false, stopReason: null, note: null });
      run = this.runs.at(-1)!;
    }
    run.generationId ??= generationId;
    return run;
  }

  /** After a reload or a restart: generate jobs still running come back with their progress. */
  private async adoptRunningJobs(): Promise<void> {
    const r = await this.host.transport.invoke('jobs.list', {});
    if (!r.ok) return;
    for (const job of r.value.filter((j: JobInfo) => j.kind === 'generate')) {
      const known = this.runs.find((x) => x.jobId === job.id);
      if (!known && job.state !== 'running' && job.state !== 'queued') continue;
      const params = job.params as { generationId?: unknown } | null;
      const run = this.track(job.id, typeof params?.generationId === 'string' ? params.generationId : null);
      run.state = job.state === 'interrupted' ? 'failed' : job.state;
      run.progress = job.progress ?? run.progress;
      if (job.state === 'interrupted') run.error = { code: 'interrupted', message: 'Stopped by a restart; its finished takes are kept.' };
      else run.error = job.error;
    }
  }

  private applyDefaults(p: GeneratePacks): void {
    const d = p.defaults;
    this.form.packId = d.packId ?? p.generators[0]?.id ?? null;
    this.form.critic = p.critics.some((c) => c.id === d.critic && c.available) ? d.critic : (p.critics.find((c) => c.available)?.id ?? d.critic);
    this.form.criticUrl = d.criticUrl ?? '';
    this.form.iterations = d.iterations;
    this.form.candidates = d.candidates;
    this.form.strategy = d.strategy;
    this.form.seed = d.seed;
    this.form.duration = d.duration;
    this.form.steps = d.steps;
  }

  /** A strategy the pack cannot run falls back to automatic. */
  private fitStrategy(): void {
    if (this.form.strategy && this.pack && !this.pack.strategies.includes(this.form.strategy)) this.form.strategy = null;
  }

  private startBlocker(): string | null {
    const f = this.form;
    if (!f.prompt.trim()) return 'Describe the sound to generate first.';
    if (this.packs && !this.packs.generators.length) {
      return 'No generator model pack found: copy one into the models folder, then press Rescan.';
    }
    if (this.pack?.problem) return `The model pack “${this.pack.name}” cannot be used: ${this.pack.problem}`;
    if (f.critic === 'lalm') {
      const url = f.criticUrl.trim();
      if (!url) return 'The audio-language critic needs the URL of its endpoint.';
      if (!/^https?:\/\/\S+$/i.test(url)) return 'The critic URL must start with http:// or https://.';
    } else if (this.critic && !this.critic.available) {
      return `The CLAP critic is unavailable: ${this.critic.note ?? 'no CLAP model pack'}`;
    }
    if (this.pack?.capabilities && f.duration > this.pack.capabilities.maxSeconds) {
      return `This pack generates at most ${this.pack.capabilities.maxSeconds} s.`;
    }
    return null;
  }
}
