import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../../main/engine';
import { decodeFile } from '../../../main/engine/audio';
import type { EngineConfig, GenerateDefaults } from '../../../main/engine/config';
import type { GenerateServices } from '../../../main/engine/loop/services';
import type { GeneratePartial, JobUpdate } from '../../../preload/contract';
import { discoverPacks } from '../../../main/engine/models';
import { tempDir } from '../../helpers/tmp';
import { planOf, ToneCritic, ToneGenerator, toneRetriever, writeToneLibrary } from './fakes';

const findToneGenerators = async (dir: string) => {
  const { packs, problems } = await discoverPacks(dir);
  return { packs: packs.filter((p) => p.role === 'generator'), problems };
};

/**
 * A tone-world engine config on a fresh folder, with something answering HTTP where the LALM
 * endpoint is said to be (generate.start checks it is reachable).
 */
async function toneWorld(
  dir: string,
  generate: Partial<GenerateDefaults> = {},
): Promise<{ config: EngineConfig; services: GenerateServices; server: http.Server; criticUrl: string }> {
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const criticUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;
  const modelsDir = path.join(dir, 'models');
  fs.mkdirSync(path.join(modelsDir, 'tones'), { recursive: true });
  fs.writeFileSync(path.join(modelsDir, 'tones', 'cuebank.json'), JSON.stringify({ role: 'generator', format: 'tones', name: 'Tones', licence: 'CC0' }));
  const library = writeToneLibrary(path.join(dir, 'lib'));
  const services: GenerateServices = {
    findGenerators: findToneGenerators,
    loadGenerator: async () => new ToneGenerator(),
    decomposer: () => ({ decompose: (prompt, { duration }) => planOf(prompt, duration) }),
    clapCritic: () => new ToneCritic(),
    lalmCritic: () => new ToneCritic(),
    retriever: () => toneRetriever(library),
  };
  const config: EngineConfig = { dbPath: path.join(dir, 'w.db'), modelsDir, generate: { duration: 3, critic: 'lalm', ...generate }, critic: { lalm: { url: criticUrl } } };
  return { config, services, server, criticUrl };
}

/**
 * The generate.* channels through the engine, with the tone world behind the services seam (the
 * fixture model packs are exercised by test/integration/loop/). The LALM critic slot carries the
 * tone critic, so no CLAP pack is needed and its absence can be tested.
 */
describe('generate channels on the engine', () => {
  let tmp: { dir: string; cleanup: () => void };
  let engine: Engine;
  const updates: JobUpdate[] = [];
  let criticUrl: string;
  let server: http.Server;

  beforeAll(async () => {
    tmp = tempDir();
    const world = await toneWorld(tmp.dir, { seed: 1 });
    ({ server, criticUrl } = world);
    engine = await createEngine(world.config, { generateServices: world.services });
    engine.on('jobs.update', (u) => updates.push(u));
  });
  afterAll(async () => {
    await engine?.close();
    server?.close();
    tmp?.cleanup();
  });

  it('runs a loop as a generate job and stores every take, critique and reference', async () => {
    const { jobId, generationId } = await engine.call('generate.start', { prompt: 'a beep then a hum then a whistle', iterations: 3 });
    const job = await engine.waitForJob(jobId);
    expect(job.state).toBe('done');
    expect(job.kind).toBe('generate');
    expect(job.result).toMatchObject({ generationId, stopReason: 'all_present' });

    const detail = await engine.call('generate.get', { generationId });
    expect(detail.generation).toMatchObject({ state: 'done', takeCount: 2, prompt: 'a beep then a hum then a whistle' });
    expect(detail.generation.settings).toMatchObject({ packId: 'tones', strategy: 'adapter', seed: 1, critic: 'lalm', criticUrl });
    expect(detail.generation.plan.events.map((e) => e.text)).toEqual(['a beep', 'a hum', 'a whistle']);
    expect(detail.takes.map((t) => t.critique!.events.at(-1)!.verdict)).toEqual(['missing', 'present']);
    expect(detail.generation.bestTakeId).toBe(detail.takes[1].id);
    expect(detail.references.map((r) => [r.eventText, path.basename(r.path), r.state])).toEqual([
      ['a whistle', 'whistle.wav', 'accepted'],
      ['a whistle', 'whistle-wrong.wav', 'proposed'],
    ]);
    for (const t of detail.takes) {
      expect(t.path.startsWith(path.join(engine.config.dataDir, 'takes', generationId))).toBe(true);
      expect((await decodeFile(t.path)).audio.sampleRate).toBe(16_000);
    }

    // The UI saw each take the moment it was stored, and progress per stage.
    const mine = updates.filter((u) => u.jobId === jobId);
    const takeParts = mine.flatMap((u) => (u.type === 'partial' && (u.data as GeneratePartial).kind === 'take' ? [(u.data as { take: { id: string } }).take.id] : []));
    expect(takeParts).toEqual(detail.takes.map((t) => t.id));
    // Progress is coalesced to ~10 updates a second (stage by stage: orchestrator.test.ts); it ends complete.
    const progress = mine.flatMap((u) => (u.type === 'progress' ? [u.progress] : []));
    expect(progress[0].stage).toBe('generate');
    expect(progress.at(-1)).toMatchObject({ fraction: 1, stage: 'done' });

    const list = await engine.call('generate.list', {});
    expect(list[0]).toMatchObject({ id: generationId, takeCount: 2, bestTakeId: detail.takes[1].id });
  });

  it('accepts and rejects references, retrieves on demand, and regenerates from a take as a branch', async () => {
    const { jobId, generationId } = await engine.call('generate.start', { prompt: 'a hum then a chirp', iterations: 1 });
    expect((await engine.waitForJob(jobId)).state).toBe('done');
    const [first] = (await engine.call('generate.get', { generationId })).takes;
    expect(first.critique!.events[1].verdict).toBe('missing');

    const refs = await engine.call('generate.retrieve', { takeId: first.id });
    expect(refs.map((r) => [path.basename(r.path), r.rank, r.state])).toEqual([
      ['chirp.wav', 0, 'accepted'],
      ['chirp-wrong.wav', 1, 'proposed'],
    ]);
    // Asking again keeps what is stored (and the user's choices).
    expect(await engine.call('generate.setReference', { referenceId: refs[0].id, state: 'rejected' })).toMatchObject({ state: 'rejected' });
    expect((await engine.call('generate.retrieve', { takeId: first.id })).map((r) => r.state)).toEqual(['rejected', 'proposed']);
    await engine.call('generate.setReference', { referenceId: refs[0].id, state: 'accepted' });

    const { jobId: regen } = await engine.call('generate.regenerate', { takeId: first.id, strategy: 'layer', candidates: 2 });
    expect((await engine.waitForJob(regen)).state).toBe('done');
    const { takes } = await engine.call('generate.get', { generationId });
    const branch = takes.filter((t) => t.parentId === first.id);
    expect(branch.map((t) => [t.iteration, t.candidate, t.origin])).toEqual([
      [2, 0, 'layer'],
      [2, 1, 'layer'],
    ]);
    expect(branch.filter((t) => t.chosen)).toHaveLength(1);
    expect(branch.every((t) => t.referenceIds[0] === refs[0].id)).toBe(true);
    expect(branch.find((t) => t.chosen)!.critique!.events[1].verdict).toBe('present');
  });

  it('lists the generator packs with capabilities, strategies and critic options', async () => {
    const packs = await engine.call('generate.packs', {});
    expect(packs.generators).toEqual([
      expect.objectContaining({ id: 'tones', licence: 'CC0', strategies: ['adapter', 'audio2audio', 'layer'], problem: null }),
    ]);
    expect(packs.generators[0].capabilities).toMatchObject({ sampleRate: 16_000, audioConditioning: true, audioToAudio: true });
    expect(packs.critics.find((c) => c.id === 'clap')).toMatchObject({ available: false, needsUrl: false });
    expect(packs.critics.find((c) => c.id === 'lalm')).toMatchObject({ available: true, needsUrl: true });
    expect(packs.defaults).toMatchObject({ packId: 'tones', iterations: 3, seed: 1 });
  });

  it('refuses clearly, before creating anything: no CLAP pack for the CLAP critic, no URL for the LALM one, unknown pack', async () => {
    const before = (await engine.call('generate.list', {})).length;
    await expect(engine.call('generate.start', { prompt: 'a beep', critic: 'clap' })).rejects.toThrow(/The CLAP critic needs a CLAP model pack/);
    await expect(engine.call('generate.start', { prompt: 'a beep', packId: 'nope' })).rejects.toThrow(`No generator pack "nope" in ${path.join(tmp.dir, 'models')}`);
    expect((await engine.call('generate.list', {})).length).toBe(before);
    await expect(engine.call('generate.start', { prompt: '' })).rejects.toMatchObject({ code: 'invalid_input' });
    const closed = await new Promise<number>((resolve) => {
      const s = http.createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => resolve(port));
      });
    });
    await expect(engine.call('generate.start', { prompt: 'a beep', criticUrl: `http://127.0.0.1:${closed}/v1` })).rejects.toThrow(
      `The LALM critic at http://127.0.0.1:${closed}/v1 is unreachable (ECONNREFUSED)`,
    );
    expect((await engine.call('generate.list', {})).length).toBe(before);
  });

  it('cancels a running loop: finished takes stay, the generation says cancelled', async () => {
    const { jobId, generationId } = await engine.call('generate.start', { prompt: 'a beep then a hum then a whistle', iterations: 5, candidates: 3, steps: 40 });
    for (let i = 0; i < 2000; i++) {
      if (updates.some((u) => u.jobId === jobId && u.type === 'partial')) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    await engine.call('jobs.cancel', { jobId });
    expect((await engine.waitForJob(jobId)).state).toBe('cancelled');
    const detail = await engine.call('generate.get', { generationId });
    expect(detail.generation.state).toBe('cancelled');
    expect(detail.takes.length).toBeGreaterThanOrEqual(1);
    expect(detail.takes.length).toBeLessThan(15);
    for (const t of detail.takes) expect(fs.existsSync(t.path)).toBe(true);
    expect(fs.readdirSync(path.dirname(detail.takes[0].path))).toHaveLength(detail.takes.length);
  });

  it('deletes a generation with its files', async () => {
    const [g] = await engine.call('generate.list', {});
    const dir = path.join(engine.config.dataDir, 'takes', g.id);
    expect(fs.existsSync(dir)).toBe(true);
    expect(await engine.call('generate.delete', { generationId: g.id })).toEqual({ removedTakes: g.takeCount });
    expect(fs.existsSync(dir)).toBe(false);
    await expect(engine.call('generate.get', { generationId: g.id })).rejects.toMatchObject({ code: 'not_found' });
  });
});

/** Sets columns of every row of a table, as another process or a crash would have left them. */
function setRows(dbPath: string, table: 'generations' | 'jobs', set: string, ...values: unknown[]): void {
  const raw = new Database(dbPath);
  try {
    raw.prepare(`UPDATE ${table} SET ${set}`).run(...values);
  } finally {
    raw.close();
  }
}

/** Runs a one-iteration loop on an engine that is then closed; returns its job, generation and take. */
async function oneFinishedLoop(config: EngineConfig, services: GenerateServices) {
  const engine = await createEngine(config, { generateServices: services });
  try {
    const { jobId, generationId } = await engine.call('generate.start', { prompt: 'a beep then a whistle', iterations: 1 });
    await engine.waitForJob(jobId);
    const [take] = (await engine.call('generate.get', { generationId })).takes;
    return { jobId, generationId, take };
  } finally {
    await engine.close();
  }
}

describe('generate after a restart', () => {
  it('marks a loop left running as interrupted and sweeps half-written files, keeping finished takes', async () => {
    const tmp = tempDir();
    const { config, services, server } = await toneWorld(tmp.dir);
    try {
      const { generationId, take } = await oneFinishedLoop(config, services);

      // What a crash leaves: the loop still 'running', a temporary file and a renamed file with no row.
      setRows(config.dbPath, 'generations', `state = 'running'`);
      const dir = path.dirname(take.path);
      fs.writeFileSync(path.join(dir, 'x.wav.123.tmp'), 'half');
      fs.copyFileSync(take.path, path.join(dir, 'orphan.wav'));
      // And what only a power loss can: a committed take whose file lost its tail.
      const { jobId: second } = await (async () => {
        const e = await createEngine(config, { generateServices: services });
        try {
          const started = await e.call('generate.start', { prompt: 'a hum then a beep', iterations: 1 });
          await e.waitForJob(started.jobId);
          return started;
        } finally {
          await e.close();
        }
      })();
      expect(second).toBeTruthy();
      const reader = new Database(config.dbPath, { readonly: true });
      const truncatedRow = reader.prepare(`SELECT id, file FROM takes WHERE id != ?`).get(take.id) as { id: string; file: string };
      reader.close();
      const dataDir = path.resolve(dir, '..', '..');
      const truncated = path.join(dataDir, ...truncatedRow.file.split('/'));
      fs.truncateSync(truncated, 1000);

      const engine = await createEngine(config, { generateServices: services });
      const detail = await engine.call('generate.get', { generationId });
      expect(detail.generation.state).toBe('interrupted');
      expect(detail.takes.map((t) => t.id)).toEqual([take.id]);
      expect(fs.readdirSync(dir)).toEqual([path.basename(take.path)]);
      // The take with the broken file is gone, and so is its file.
      const all = (await engine.call('generate.list', {})).flatMap((g) => g.takeCount);
      expect(all.reduce((a, b) => a + b, 0)).toBe(1);
      expect(fs.existsSync(truncated)).toBe(false);
      await engine.close();
    } finally {
      server.close();
      tmp.cleanup();
    }
  });

  it('leaves alone a loop and job that another live engine process is running, and recovers them once it is gone', async () => {
    const tmp = tempDir();
    const { config, services, server } = await toneWorld(tmp.dir);
    // Stands in for `cuebank generate` running in a terminal on the same database.
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      const { jobId, generationId, take } = await oneFinishedLoop(config, services);

      let engine: Engine;
      // The other process's loop, mid-take: its row running, a take being written, one renamed but not yet committed.
      setRows(config.dbPath, 'generations', `state = 'running', runner_pid = ?`, other.pid);
      setRows(config.dbPath, 'jobs', `state = 'running', runner_pid = ?`, other.pid);
      const dir = path.dirname(take.path);
      fs.writeFileSync(path.join(dir, `next.wav.${other.pid}.tmp`), 'half');
      fs.copyFileSync(take.path, path.join(dir, 'next.wav'));
      const inFlight = fs.readdirSync(dir).sort();

      engine = await createEngine(config, { generateServices: services });
      expect((await engine.call('generate.get', { generationId })).generation.state).toBe('running');
      expect((await engine.call('jobs.list', {})).find((j) => j.id === jobId)?.state).toBe('running');
      expect(fs.readdirSync(dir).sort()).toEqual(inFlight);
      await engine.close();

      // Once that process is gone, its work is recovered as any crash's.
      const exited = new Promise((r) => other.once('exit', r));
      other.kill('SIGKILL');
      await exited;
      engine = await createEngine(config, { generateServices: services });
      expect((await engine.call('generate.get', { generationId })).generation.state).toBe('interrupted');
      expect((await engine.call('jobs.list', {})).find((j) => j.id === jobId)?.state).toBe('interrupted');
      expect(fs.readdirSync(dir)).toEqual([path.basename(take.path)]);
      await engine.close();
    } finally {
      other.kill('SIGKILL');
      server.close();
      tmp.cleanup();
    }
  });
});
