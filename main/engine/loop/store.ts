import type { Statement } from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type {
  CritiqueValue,
  GenerateSettings,
  Generation,
  GenerationDetail,
  GenerationState,
  LoopReference,
  ReferenceState,
  Take,
  TakeChange,
  TakeOrigin,
} from '../../../preload/contract/generate';
import type { DecodedAudio } from '../audio/types';
import type { Db } from '../db/open';
import { CuebankError } from '../errors';
import { RUNNER_PID, runsElsewhere } from '../runner';
import type { BlockSums } from './mix';
import { TakeFileWriter } from './take-file-writer';
import type { Critique, EventPlan, Reference } from './types';

interface GenerationRow {
  id: string;
  prompt: string;
  settings_json: string;
  plan_json: string;
  state: GenerationState;
  error: string | null;
  created_at: number;
  updated_at: number;
  take_count: number;
  best_take_id: string | null;
  best_score: number | null;
  note: string | null;
}

interface TakeRow {
  id: string;
  generation_id: string;
  parent_id: string | null;
  iteration: number;
  candidate: number;
  seed: number;
  strategy: TakeOrigin;
  file: string;
  duration: number;
  sample_rate: number;
  channels: number;
  critique_json: string | null;
  score: number | null;
  chosen: number;
  reference_ids_json: string;
  created_at: number;
  change_json: string | null;
}

interface ReferenceRow {
  id: number;
  generation_id: string;
  take_id: string;
  iteration: number;
  event_id: string;
  event_text: string;
  file_id: number | null;
  path: string;
  score: number;
  window_start: number;
  window_end: number;
  rank: number;
  state: ReferenceState;
}

/** A take's audio file, complete on disk under its final name, whose row is not committed yet. */
export interface TakeFile {
  id: string;
  generationId: string;
  /** Relative to the data folder. */
  rel: string;
  duration: number;
  sampleRate: number;
  channels: number;
}

export interface NewTake {
  generationId: string;
  parentId: string | null;
  iteration: number;
  candidate: number;
  seed: number;
  origin: TakeOrigin;
  critique: Critique;
  referenceIds: number[];
  /** What this regeneration changed and why; null for first-iteration takes. */
  change?: TakeChange | null;
}

const GENERATION_SELECT = `
  SELECT g.*,
         (SELECT COUNT(*) FROM takes t WHERE t.generation_id = g.id) AS take_count,
         (SELECT t.id FROM takes t WHERE t.generation_id = g.id AND t.score IS NOT NULL
           ORDER BY coalesce(t.present_count, 0) DESC, t.score DESC, t.created_at LIMIT 1) AS best_take_id,
         (SELECT t.score FROM takes t WHERE t.generation_id = g.id AND t.score IS NOT NULL
           ORDER BY coalesce(t.present_count, 0) DESC, t.score DESC, t.created_at LIMIT 1) AS best_score
    FROM generations g`;

/**
 * Generations, takes and references in SQLite; take audio as WAV files under
 * `<dataDir>/takes/<generation id>/<take id>.wav`. A take's file is complete under its final name
 * (written to a temporary name, then renamed) before the row naming it commits: the app closed or
 * the engine killed at any moment leaves either no row or a row with its whole file.
 *
 * The file is not fsynced (measured: flushing each take cost 15–30% of a fixture iteration): a
 * process crash keeps what the OS has, and the database itself runs WAL with synchronous=NORMAL,
 * which after a power loss is consistent but may miss recent commits. For that case `verifyTakes`
 * at start-up removes any take whose file is missing or shorter than its row says, so no row ever
 * points at a missing or broken file.
 */
export class LoopStore {
  private readonly files = new TakeFileWriter();
  /** Prepared statements by SQL text: preparing costs more than running most of these. */
  private readonly statements = new Map<string, Statement>();

  constructor(
    private readonly db: Db,
    readonly dataDir: string,
  ) {}

  /** Folder holding one generation's take files. */
  generationDir(generationId: string): string {
    return path.join(this.dataDir, 'takes', generationId);
  }

  createGeneration(prompt: string, settings: GenerateSettings, plan: EventPlan): string {
    const id = randomUUID();
    const now = Date.now();
    this.sql(
      `INSERT INTO generations (id, prompt, settings_json, plan_json, state, runner_pid, created_at, updated_at)
       VALUES (?, ?, ?, ?, 'running', ?, ?, ?)`,
    ).run(id, prompt, JSON.stringify(settings), JSON.stringify(plan), RUNNER_PID, now, now);
    return id;
  }

  /** Sets a generation's state; a loop that starts running records this process as its runner. */
  setState(generationId: string, state: GenerationState, error: string | null = null): void {
    const runner = state === 'running' ? RUNNER_PID : null;
    this.sql(`UPDATE generations SET state = ?, error = ?, runner_pid = coalesce(?, runner_pid), updated_at = ? WHERE id = ?`).run(
      state,
      error,
      runner,
      Date.now(),
      generationId,
    );
  }

  /**
   * Loops a process that is gone left running are marked interrupted; their finished takes stay.
   * A loop another live engine runs on this database is left alone.
   */
  markInterrupted(): number {
    const mine = this.runningLoops().filter((g) => !runsElsewhere(g.runner_pid));
    const mark = this.sql(`UPDATE generations SET state = 'interrupted', updated_at = ? WHERE id = ?`);
    const now = Date.now();
    this.db.transaction(() => mine.forEach((g) => mark.run(now, g.id)))();
    return mine.length;
  }

  /**
   * Takes whose file is missing or not the size its row implies (only possible after a power loss
   * or someone deleting files) are removed with their references; returns how many.
   */
  verifyTakes(): number {
    const rows = this.sql(`SELECT id, file, duration, sample_rate, channels FROM takes`).all() as TakeRow[];
    const broken = rows.filter((r) => {
      const expected = 44 + Math.round(r.duration * r.sample_rate) * r.channels * 4;
      try {
        return fs.statSync(this.absolutePath(r.file)).size !== expected;
      } catch {
        return true;
      }
    });
    if (!broken.length) return 0;
    this.db.transaction(() => {
      for (const r of broken) {
        this.sql(`UPDATE takes SET parent_id = NULL WHERE parent_id = ?`).run(r.id);
        this.sql(`DELETE FROM take_references WHERE take_id = ?`).run(r.id);
        this.sql(`DELETE FROM takes WHERE id = ?`).run(r.id);
      }
    })();
    return broken.length;
  }

  /**
   * Removes what a crash can leave in the takes folder: half-written temporary files, and take files
   * whose row never committed. Only touches files this store names (`*.wav`, `*.tmp` under takes/),
   * and never the folder of a loop another live engine is running (its next take is being written).
   */
  sweepOrphans(): number {
    const root = path.join(this.dataDir, 'takes');
    if (!fs.existsSync(root)) return 0;
    const known = new Set((this.sql(`SELECT file FROM takes`).all() as { file: string }[]).map((r) => r.file));
    const elsewhere = new Set(this.runningLoops().filter((g) => runsElsewhere(g.runner_pid)).map((g) => g.id));
    let removed = 0;
    for (const gen of fs.readdirSync(root, { withFileTypes: true })) {
      if (!gen.isDirectory() || elsewhere.has(gen.name)) continue;
      const dir = path.join(root, gen.name);
      for (const f of fs.readdirSync(dir)) {
        const rel = ['takes', gen.name, f].join('/');
        if (f.endsWith('.tmp') || (f.endsWith('.wav') && !known.has(rel))) {
          fs.rmSync(path.join(dir, f), { force: true });
          removed++;
        }
      }
      if (fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
    }
    return removed;
  }

  /**
   * Starts writing a take's WAV under its final name on the writer's thread (TakeFileWriter), so the
   * caller can critique the take meanwhile; `written` settles once the whole file is there, with the
   * take's block sums measured on the way (null when not). Commit the row with commitTake only after
   * it resolves.
   */
  writeTakeFile(generationId: string, audio: DecodedAudio): { file: TakeFile; written: Promise<BlockSums | null> } {
    const id = randomUUID();
    const rel = ['takes', generationId, `${id}.wav`].join('/');
    const written = this.files.write(this.absolutePath(rel), audio);
    const frames = audio.channels[0]?.length ?? 0;
    const file = { id, generationId, rel, duration: frames / audio.sampleRate, sampleRate: audio.sampleRate, channels: audio.channels.length };
    return { file, written };
  }

  /** Stops the take writer (the database is the engine's to close). */
  close(): Promise<void> {
    return this.files.close();
  }

  /** Removes a take file whose row will never be committed (the critique failed or was cancelled). */
  discardTakeFile(file: TakeFile): void {
    fs.rmSync(this.absolutePath(file.rel), { force: true });
  }

  /** Commits the row of a take whose file is complete on disk; returns the stored take. */
  commitTake(file: TakeFile, t: NewTake): Take {
    if (file.generationId !== t.generationId) throw new CuebankError('internal', 'A take file belongs to another generation');
    this.sql(
      `INSERT INTO takes (id, generation_id, parent_id, iteration, candidate, seed, strategy, file, duration,
                          sample_rate, channels, critique_json, score, present_count, reference_ids_json, change_json, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      file.id,
      t.generationId,
      t.parentId,
      t.iteration,
      t.candidate,
      t.seed,
      t.origin,
      file.rel,
      file.duration,
      file.sampleRate,
      file.channels,
      JSON.stringify(t.critique),
      t.critique.score,
      t.critique.events.filter((e) => e.verdict === 'present').length,
      JSON.stringify(t.referenceIds),
      t.change ? JSON.stringify(t.change) : null,
      Date.now(),
    );
    this.touch(t.generationId);
    return this.take(file.id)!;
  }

  /** Sets (or clears) the note on how a generation's last loop ended. */
  setNote(generationId: string, note: string | null): void {
    this.sql(`UPDATE generations SET note = ?, updated_at = ? WHERE id = ?`).run(note, Date.now(), generationId);
  }

  /** Marks the best-of-N candidate of a batch as the one kept. */
  choose(takeId: string): void {
    this.sql(`UPDATE takes SET chosen = 1 WHERE id = ?`).run(takeId);
  }

  take(id: string): Take | undefined {
    const row = this.sql(`SELECT * FROM takes WHERE id = ?`).get(id) as TakeRow | undefined;
    return row && this.toTake(row);
  }

  requireTake(id: string): Take {
    const take = this.take(id);
    if (!take) throw new CuebankError('not_found', `No take ${id}`);
    return take;
  }

  /** Stores the references retrieved for a take's flagged events; already stored ones are kept as they are. */
  addReferences(generationId: string, takeId: string, iteration: number, refs: readonly (Reference & { rank: number })[]): LoopReference[] {
    const insert = this.sql(
      `INSERT OR IGNORE INTO take_references
         (generation_id, take_id, iteration, event_id, event_text, file_id, path, score, window_start, window_end, rank, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const now = Date.now();
    this.db.transaction(() => {
      for (const r of refs) {
        insert.run(generationId, takeId, iteration, r.eventId, r.eventText, r.fileId, r.path, r.score, r.start, r.end, r.rank, now);
      }
    })();
    this.touch(generationId);
    return this.referencesOfTake(takeId);
  }

  referencesOfTake(takeId: string): LoopReference[] {
    const rows = this.sql(`SELECT * FROM take_references WHERE take_id = ? ORDER BY event_id, rank, id`).all(takeId) as ReferenceRow[];
    return rows.map(toReference);
  }

  referencesByIds(ids: readonly number[]): LoopReference[] {
    if (!ids.length) return [];
    const placeholders = ids.map(() => '?').join(', ');
    const rows = this.sql(`SELECT * FROM take_references WHERE id IN (${placeholders}) ORDER BY event_id, rank, id`).all(...ids) as ReferenceRow[];
    return rows.map(toReference);
  }

  setReferenceState(id: number, state: ReferenceState): LoopReference {
    const changed = this.sql(`UPDATE take_references SET state = ? WHERE id = ?`).run(state, id).changes;
    if (!changed) throw new CuebankError('not_found', `No reference ${id}`);
    return toReference(this.sql(`SELECT * FROM take_references WHERE id = ?`).get(id) as ReferenceRow);
  }

  generation(id: string): Generation | undefined {
    const row = this.sql(`${GENERATION_SELECT} WHERE g.id = ?`).get(id) as GenerationRow | undefined;
    return row && toGeneration(row);
  }

  requireGeneration(id: string): Generation {
    const g = this.generation(id);
    if (!g) throw new CuebankError('not_found', `No generation ${id}`);
    return g;
  }

  list(limit = 500): Generation[] {
    const rows = this.sql(`${GENERATION_SELECT} ORDER BY g.created_at DESC, g.rowid DESC LIMIT ?`).all(limit) as GenerationRow[];
    return rows.map(toGeneration);
  }

  detail(id: string): GenerationDetail {
    const generation = this.requireGeneration(id);
    const takes = (
      this.sql(`SELECT * FROM takes WHERE generation_id = ? ORDER BY created_at, rowid`).all(id) as TakeRow[]
    ).map((r) => this.toTake(r));
    const references = (
      this.sql(`SELECT * FROM take_references WHERE generation_id = ? ORDER BY id`).all(id) as ReferenceRow[]
    ).map(toReference);
    return { generation, takes, references };
  }

  /** Deletes a generation's rows, then its files (a crash between leaves orphans the next sweep removes). */
  deleteGeneration(id: string): number {
    this.requireGeneration(id);
    const n = (this.sql(`SELECT COUNT(*) AS n FROM takes WHERE generation_id = ?`).get(id) as { n: number }).n;
    this.db.transaction(() => {
      this.sql(`DELETE FROM take_references WHERE generation_id = ?`).run(id);
      this.sql(`UPDATE takes SET parent_id = NULL WHERE generation_id = ?`).run(id);
      this.sql(`DELETE FROM takes WHERE generation_id = ?`).run(id);
      this.sql(`DELETE FROM generations WHERE id = ?`).run(id);
    })();
    fs.rmSync(this.generationDir(id), { recursive: true, force: true });
    return n;
  }

  absolutePath(rel: string): string {
    return path.join(this.dataDir, ...rel.split('/'));
  }

  private sql(text: string): Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  private runningLoops(): { id: string; runner_pid: number | null }[] {
    return this.sql(`SELECT id, runner_pid FROM generations WHERE state = 'running'`).all() as { id: string; runner_pid: number | null }[];
  }

  private touch(generationId: string): void {
    this.sql(`UPDATE generations SET updated_at = ? WHERE id = ?`).run(Date.now(), generationId);
  }

  private toTake(r: TakeRow): Take {
    return {
      id: r.id,
      generationId: r.generation_id,
      parentId: r.parent_id,
      iteration: r.iteration,
      candidate: r.candidate,
      seed: r.seed,
      origin: r.strategy,
      path: this.absolutePath(r.file),
      duration: r.duration,
      sampleRate: r.sample_rate,
      channels: r.channels,
      critique: r.critique_json ? (JSON.parse(r.critique_json) as CritiqueValue) : null,
      score: r.score,
      chosen: r.chosen === 1,
      referenceIds: JSON.parse(r.reference_ids_json) as number[],
      createdAt: r.created_at,
      change: r.change_json ? (JSON.parse(r.change_json) as TakeChange) : null,
    };
  }
}

function toGeneration(r: GenerationRow): Generation {
  return {
    id: r.id,
    prompt: r.prompt,
    settings: JSON.parse(r.settings_json) as GenerateSettings,
    plan: JSON.parse(r.plan_json) as Generation['plan'],
    state: r.state,
    error: r.error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    takeCount: r.take_count,
    bestTakeId: r.best_take_id,
    bestScore: r.best_score,
    note: r.note ?? null,
  };
}

function toReference(r: ReferenceRow): LoopReference {
  return {
    id: r.id,
    generationId: r.generation_id,
    takeId: r.take_id,
    iteration: r.iteration,
    eventId: r.event_id,
    eventText: r.event_text,
    fileId: r.file_id,
    path: r.path,
    score: r.score,
    start: r.window_start,
    end: r.window_end,
    rank: r.rank,
    state: r.state,
  };
}
