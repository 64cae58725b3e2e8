import type { JobInfo, JobKind, JobProgress, JobState } from '../../../preload/contract/jobs';
import type { ErrorValue } from '../../../preload/contract/common';
import type { Db } from '../db/open';
import { RUNNER_PID, runsElsewhere } from '../runner';

interface JobRow {
  id: string;
  kind: JobKind;
  state: JobState;
  params_json: string;
  progress_json: string | null;
  result_json: string | null;
  error_json: string | null;
  runner_pid: number | null;
  created_at: number;
  updated_at: number;
}

const parse = (s: string | null): unknown => (s == null ? null : JSON.parse(s));

function toInfo(row: JobRow): JobInfo {
  return {
    id: row.id,
    kind: row.kind,
    state: row.state,
    params: parse(row.params_json),
    progress: parse(row.progress_json) as JobProgress | null,
    result: parse(row.result_json),
    error: parse(row.error_json) as ErrorValue | null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The jobs table. Progress is written at most once a second: it is for reloads, not for live views. */
export class JobStore {
  private readonly lastProgressWrite = new Map<string, number>();

  constructor(private readonly db: Db) {}

  insert(id: string, kind: JobKind, params: unknown): void {
    const now = Date.now();
    this.db
      .prepare(
        `INSERT INTO jobs (id, kind, state, params_json, runner_pid, created_at, updated_at) VALUES (?, ?, 'queued', ?, ?, ?, ?)`,
      )
      .run(id, kind, JSON.stringify(params ?? null), RUNNER_PID, now, now);
  }

  setState(id: string, state: JobState): void {
    this.db.prepare(`UPDATE jobs SET state = ?, updated_at = ? WHERE id = ?`).run(state, Date.now(), id);
  }

  saveProgress(id: string, progress: JobProgress): void {
    const now = Date.now();
    if (now - (this.lastProgressWrite.get(id) ?? 0) < 1000) return;
    this.lastProgressWrite.set(id, now);
    this.db.prepare(`UPDATE jobs SET progress_json = ?, updated_at = ? WHERE id = ?`).run(JSON.stringify(progress), now, id);
  }

  finish(id: string, state: JobState, outcome: { result?: unknown; error?: ErrorValue }): void {
    this.lastProgressWrite.delete(id);
    this.db
      .prepare(`UPDATE jobs SET state = ?, result_json = ?, error_json = ?, updated_at = ? WHERE id = ?`)
      .run(
        state,
        outcome.result === undefined ? null : JSON.stringify(outcome.result),
        outcome.error ? JSON.stringify(outcome.error) : null,
        Date.now(),
        id,
      );
  }

  /** Jobs a process that is gone left queued or running are marked interrupted; returns them. */
  markInterrupted(): JobInfo[] {
    const rows = (this.db.prepare(`SELECT * FROM jobs WHERE state IN ('queued', 'running')`).all() as JobRow[]).filter(
      (r) => !runsElsewhere(r.runner_pid),
    );
    const mark = this.db.prepare(`UPDATE jobs SET state = 'interrupted', updated_at = ? WHERE id = ?`);
    const now = Date.now();
    this.db.transaction(() => rows.forEach((r) => mark.run(now, r.id)))();
    return rows.map((r) => toInfo({ ...r, state: 'interrupted' }));
  }

  get(id: string): JobInfo | undefined {
    const row = this.db.prepare(`SELECT * FROM jobs WHERE id = ?`).get(id) as JobRow | undefined;
    return row && toInfo(row);
  }

  list(limit = 200): JobInfo[] {
    const rows = this.db.prepare(`SELECT * FROM jobs ORDER BY created_at DESC, rowid DESC LIMIT ?`).all(limit) as JobRow[];
    return rows.map(toInfo);
  }
}
