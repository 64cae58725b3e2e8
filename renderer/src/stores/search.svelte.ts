import type { ErrorValue, SearchFilters, SearchHit, SearchResponse, UiState } from '../../../preload/contract';
import { debounce } from '../lib/debounce';
import type { Host } from '../lib/transport';

/** Results asked for at first; "Show more" raises it up to the contract's maximum. */
export const FIRST_LIMIT = 1000;
export const MAX_LIMIT = 100_000;
export const DEFAULT_WEIGHT = 0.5;
const TYPE_DEBOUNCE_MS = 220;
const SLIDER_DEBOUNCE_MS = 150;
const PERSIST_DEBOUNCE_MS = 400;

/** Only filters with a value count (and cross the wire). */
export function cleanFilters(f: SearchFilters): SearchFilters {
  const out: SearchFilters = {};
  if (f.minDuration !== undefined && Number.isFinite(f.minDuration)) out.minDuration = f.minDuration;
  if (f.maxDuration !== undefined && Number.isFinite(f.maxDuration)) out.maxDuration = f.maxDuration;
  if (f.sampleRates?.length) out.sampleRates = [...f.sampleRates];
  if (f.channels?.length) out.channels = [...f.channels];
  if (f.folder) out.folder = f.folder;
  if (f.category) out.category = f.category;
  if (f.catIds?.length) out.catIds = [...f.catIds];
  return out;
}

/**
 * The query (text, example sound, weight, filters), its results and the selection. Typing and
 * the slider are debounced; every change of the query or selection is saved with `ui.setState`
 * (debounced) once the saved state has been restored, so a reopen shows the same screen.
 */
export class SearchStore {
  text = $state('');
  example = $state<string | null>(null);
  weight = $state(DEFAULT_WEIGHT);
  filters = $state<SearchFilters>({});
  limit = $state(FIRST_LIMIT);

  /** Raw: 100,000 hits must not become 100,000 reactive proxies. */
  results = $state.raw<SearchHit[]>([]);
  mode = $state<SearchResponse['mode'] | null>(null);
  notes = $state.raw<string[]>([]);
  error = $state<ErrorValue | null>(null);
  loading = $state(false);
  /** Milliseconds the last search took, round trip. */
  tookMs = $state<number | null>(null);
  /** The query has run at least once (so "no results" can be told from "not searched"). */
  searched = $state(false);
  /** What the results on screen answer (the field may already hold newer text). */
  answered = $state<{ text: string; example: string | null } | null>(null);

  selected = $state(-1);
  /** Bumped whenever the list should bring the selection into view (keyboard, restore). */
  revealTick = $state(0);

  hasQuery = $derived(this.text.trim() !== '' || this.example !== null || Object.keys(cleanFilters(this.filters)).length > 0);
  selectedHit = $derived(this.selected >= 0 ? (this.results[this.selected] ?? null) : null);
  /** Both text and a sound: the weight between them matters. */
  paired = $derived(this.text.trim() !== '' && this.example !== null);
  truncated = $derived(this.results.length >= this.limit && this.limit < MAX_LIMIT);

  private seq = 0;
  private restored = false;
  private readonly runSoon = debounce(() => void this.run(), TYPE_DEBOUNCE_MS);
  private readonly runAfterSlider = debounce(() => void this.run({ keepSelection: true }), SLIDER_DEBOUNCE_MS);
  private readonly persistSoon = debounce(() => void this.persist(), PERSIST_DEBOUNCE_MS);

  constructor(private readonly host: Host) {}

  setText(text: string): void {
    this.text = text;
    this.limit = FIRST_LIMIT;
    this.runSoon();
    this.changed();
  }

  /** Enter in the search field: no need to wait for the debounce. */
  submit(): void {
    if (this.runSoon.pending) this.runSoon.flush();
    else if (!this.loading) void this.run({ keepSelection: true });
  }

  setExample(path: string | null): void {
    this.example = path;
    this.limit = FIRST_LIMIT;
    this.runSoon.cancel();
    void this.run();
    this.changed();
  }

  setWeight(w: number): void {
    this.weight = Math.min(1, Math.max(0, w));
    this.runAfterSlider();
    this.changed();
  }

  setFilters(f: SearchFilters): void {
    this.filters = cleanFilters(f);
    this.limit = FIRST_LIMIT;
    this.runSoon();
    this.changed();
  }

  /** The UCS category filter (a Category such as "WEATHER", any subcategory); null clears it. */
  setCategory(category: string | null): void {
    this.setFilters({ ...this.filters, category: category ?? undefined, catIds: undefined });
  }

  /** Only files tagged with this CatID (from a row's CatID); the same CatID again clears it. */
  toggleCatId(catId: string): void {
    const on = this.filters.catIds?.length === 1 && this.filters.catIds[0] === catId;
    this.setFilters({ ...this.filters, catIds: on ? undefined : [catId], category: undefined });
  }

  /** The folder filter, toggled from the folder list. */
  toggleFolder(path: string): void {
    this.setFilters({ ...this.filters, folder: this.filters.folder === path ? undefined : path });
  }

  showMore(): void {
    this.limit = Math.min(MAX_LIMIT, this.limit * 10);
    void this.run({ keepSelection: true });
  }

  select(index: number, reveal = true): void {
    if (!this.results.length) return;
    const i = Math.min(this.results.length - 1, Math.max(0, index));
    if (i !== this.selected) {
      this.selected = i;
      this.changed();
    }
    if (reveal) this.revealTick++;
  }

  /** Runs the current query. keepSelection: keep the selected file selected if it is still there. */
  async run(opts: { keepSelection?: boolean; selectPath?: string | null } = {}): Promise<void> {
    const seq = ++this.seq;
    if (!this.hasQuery) {
      this.results = [];
      this.mode = null;
      this.notes = [];
      this.error = null;
      this.loading = false;
      this.searched = false;
      this.answered = null;
      this.selected = -1;
      return;
    }
    const keepPath = opts.selectPath !== undefined ? opts.selectPath : opts.keepSelection ? (this.selectedHit?.path ?? null) : null;
    const text = this.text.trim();
    const filters = cleanFilters(this.filters);
    this.loading = true;
    const t0 = performance.now();
    const r = await this.host.transport.invoke('search.query', {
      ...(text ? { text } : {}),
      ...(this.example ? { audioPath: this.example } : {}),
      ...(text && this.example ? { weight: this.weight } : {}),
      ...(Object.keys(filters).length ? { filters } : {}),
      limit: this.limit,
    });
    if (seq !== this.seq) return; // a newer query answered or will answer
    this.loading = false;
    this.searched = true;
    this.tookMs = Math.round(performance.now() - t0);
    if (!r.ok) {
      this.error = r.error;
      this.answered = null;
      this.results = [];
      this.notes = [];
      this.mode = null;
      this.selected = -1;
      return;
    }
    this.error = null;
    this.answered = { text, example: this.example };
    this.results = r.value.results;
    this.mode = r.value.mode;
    this.notes = r.value.notes;
    const found = keepPath ? this.results.findIndex((h) => h.path === keepPath) : -1;
    this.selected = found >= 0 ? found : this.results.length ? 0 : -1;
    this.revealTick++;
    this.changed();
  }

  /** ui.getState: the last query and selection come back and the query runs again. */
  async restore(): Promise<void> {
    const r = await this.host.transport.invoke('ui.getState', {});
    if (r.ok && r.value.lastQuery) {
      const q = r.value.lastQuery;
      this.text = q.text;
      this.example = q.examplePath;
      this.weight = q.weight;
      this.filters = cleanFilters(q.filters);
    }
    this.restored = true;
    await this.run({ selectPath: r.ok ? r.value.selectedPath : null });
  }

  private changed(): void {
    if (this.restored) this.persistSoon();
  }

  private async persist(): Promise<void> {
    const state: UiState = {
      lastQuery: { text: this.text, examplePath: this.example, weight: this.weight, filters: cleanFilters(this.filters) },
      selectedPath: this.selectedHit?.path ?? null,
    };
    await this.host.transport.invoke('ui.setState', state);
  }

  /** Saves now (before the page goes away). */
  flushPersist(): void {
    if (this.persistSoon.pending) this.persistSoon.flush();
  }
}
