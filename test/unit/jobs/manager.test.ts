import { afterEach, describe, expect, it } from 'vitest';
import type { JobUpdate } from '../../../preload/contract/jobs';
import { openDatabase, type Db } from '../../../main/engine/db/open';
import { CuebankError } from '../../../main/engine/errors';
import { JobManager } from '../../../main/engine/jobs/manager';
import { tempDir } from '../../helpers/tmp';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('JobManager', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => cleanups.splice(0).forEach((c) => c()));

  const setup = (interval = 100): { db: Db; jobs: JobManager; updates: JobUpdate[]; file: string } => {
    const t = tempDir();
    const file = `${t.dir}/w.db`;
    const db = openDatabase(file);
    cleanups.push(() => {
      db.close();
      t.cleanup();
    });
    const jobs = new JobManager(db, interval);
    const updates: JobUpdate[] = [];
    jobs.on((u) => updates.push(u));
    return { db, jobs, updates, file };
  };

  it('returns an id at once and reports queued, progress, done with the result', async () => {
    const { jobs, updates } = setup();
    const { jobId } = jobs.start('index', { folders: ['/x'] }, async (ctx) => {
      ctx.progress({ fraction: 0.5, stage: 'index', detail: {} });
      return { answer: 42 };
    });
    expect(typeof jobId).toBe('string');
    const info = await jobs.wait(jobId);
    expect(info.state).toBe('done');
    expect(info.result).toEqual({ answer: 42 });
    expect(info.params).toEqual({ folders: ['/x'] });
    expect(updates.map((u) => u.type)).toEqual(['queued', 'progress', 'done']);
  });

  it('coalesces progress to at most one update per interval, keeping the newest', async () => {
    const { jobs, updates } = setup(100);
    const { jobId } = jobs.start('index', {}, async (ctx) => {
      for (let i = 1; i <= 1000; i++) {
        ctx.progress({ fraction: i / 1000, stage: 'index', detail: { i } });
        if (i % 100 === 0) await sleep(20);
      }
      return null;
    });
    await jobs.wait(jobId);
    const progress = updates.filter((u) => u.type === 'progress');
    expect(progress.length).toBeLessThan(10);
    expect(progress.length).toBeGreaterThan(0);
    const last = progress[progress.length - 1];
    expect(last.type === 'progress' && last.progress.fraction).toBe(1);
  });

  it('cancels through the AbortSignal and records the job as cancelled', async () => {
    const { jobs, updates } = setup();
    let steps = 0;
    const { jobId } = jobs.start('index', {}, async (ctx) => {
      for (;;) {
        ctx.signal.throwIfAborted();
        steps++;
        await sleep(5);
      }
    });
    await sleep(30);
    expect(jobs.cancel(jobId)).toBe(true);
    const info = await jobs.wait(jobId);
    expect(info.state).toBe('cancelled');
    expect(updates[updates.length - 1]).toMatchObject({ type: 'cancelled', jobId });
    const at = steps;
    await sleep(30);
    expect(steps).toBe(at);
    expect(jobs.cancel(jobId)).toBe(false);
  });

  it('reports failures as error values', async () => {
    const { jobs, updates } = setup();
    const { jobId } = jobs.start('index', {}, async () => {
      throw new CuebankError('no_model', 'No CLAP pack');
    });
    const info = await jobs.wait(jobId);
    expect(info.state).toBe('failed');
    expect(info.error).toEqual({ code: 'no_model', message: 'No CLAP pack' });
    expect(updates[updates.length - 1]).toMatchObject({ type: 'failed', error: { code: 'no_model' } });
  });

  it('runs jobs one at a time in start order', async () => {
    const { jobs } = setup();
    const log: string[] = [];
    const make = (name: string) => async () => {
      log.push(`${name} start`);
      await sleep(10);
      log.push(`${name} end`);
    };
    const a = jobs.start('index', {}, make('a'));
    const b = jobs.start('embed', {}, make('b'));
    await Promise.all([jobs.wait(a.jobId), jobs.wait(b.jobId)]);
    expect(log).toEqual(['a start', 'a end', 'b start', 'b end']);
  });

  it('lists jobs from the database after a restart and marks unfinished ones interrupted', async () => {
    const { db, jobs, file } = setup();
    const done = jobs.start('index', {}, async () => 'ok');
    await jobs.wait(done.jobId);
    // A job still running when the process dies stays 'running' in the database.
    const hung = jobs.start('index', { folders: ['/lib'] }, () => new Promise(() => undefined));
    await sleep(10);
    const reopened = new JobManager(openDatabase(file));
    const interrupted = reopened.recoverInterrupted();
    expect(interrupted.map((j) => j.id)).toEqual([hung.jobId]);
    const states = Object.fromEntries(reopened.list().map((j) => [j.id, j.state]));
    expect(states).toEqual({ [done.jobId]: 'done', [hung.jobId]: 'interrupted' });
    void db;
  });

  it('unsubscribes', async () => {
    const { jobs } = setup();
    const seen: JobUpdate[] = [];
    const off = jobs.on((u) => seen.push(u));
    off();
    await jobs.wait(jobs.start('index', {}, async () => null).jobId);
    expect(seen).toEqual([]);
  });
});
