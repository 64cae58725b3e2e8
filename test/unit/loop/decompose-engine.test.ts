/**
 * The decomposer choice through the engine's generate.start: the rules by default (the language
 * model is never asked), the language model's events when a request asks for it, and the rules'
 * plan with its note, stored with the generation, when the model's answer is unusable. The tone
 * world (fakes.ts) stands in for generator, critic and retrieval.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../../main/engine';
import { createDecomposer } from '../../../main/engine/loop/decompose';
import type { GenerateServices } from '../../../main/engine/loop/services';
import { discoverPacks } from '../../../main/engine/models';
import { tempDir } from '../../helpers/tmp';
import { ToneCritic, ToneGenerator, toneRetriever, writeToneLibrary } from './fakes';

let answer: string;
let completions = 0;
let server: http.Server;
let url: string;
let tmp: { dir: string; cleanup: () => void };
let engine: Engine;

beforeAll(async () => {
  // Answers the critic's reachability probe and the decomposer's chat completions.
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/v1/chat/completions') completions++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content: answer } }] }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  tmp = tempDir();
  const modelsDir = path.join(tmp.dir, 'models');
  fs.mkdirSync(path.join(modelsDir, 'tones'), { recursive: true });
  fs.writeFileSync(path.join(modelsDir, 'tones', 'cuebank.json'), JSON.stringify({ role: 'generator', format: 'tones', name: 'Tones', licence: 'CC0' }));
  const library = writeToneLibrary(path.join(tmp.dir, 'lib'));
  const services: GenerateServices = {
    findGenerators: async (dir) => {
      const { packs, problems } = await discoverPacks(dir);
      return { packs: packs.filter((p) => p.role === 'generator'), problems };
    },
    loadGenerator: async () => new ToneGenerator(),
    decomposer: createDecomposer,
    clapCritic: () => new ToneCritic(),
    lalmCritic: () => new ToneCritic(),
    retriever: () => toneRetriever(library),
  };
  engine = await createEngine(
    { dbPath: path.join(tmp.dir, 'w.db'), modelsDir, generate: { duration: 3, critic: 'lalm', seed: 1 }, critic: { lalm: { url, timeoutSeconds: 5 } } },
    { generateServices: services },
  );
});

afterAll(async () => {
  await engine?.close();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  tmp?.cleanup();
});

beforeEach(() => {
  completions = 0;
  answer = JSON.stringify({ events: [{ text: 'a steady hum', start: 0, end: 3 }, { text: 'a short beep', start: 1, end: 1.5 }] });
});

async function planOf(request: { prompt: string; decomposer?: 'rules' | 'lalm' }) {
  const { jobId, generationId } = await engine.call('generate.start', { ...request, iterations: 1 });
  await engine.waitForJob(jobId);
  return (await engine.call('generate.get', { generationId })).generation.plan;
}

describe('decomposer choice through generate.start', () => {
  it('splits by the rules unless asked, without asking the language model', async () => {
    const plan = await planOf({ prompt: 'a hum, then beep' });
    expect(plan.events.map((e) => [e.text, e.relation])).toEqual([
      ['a hum', 'start'],
      ['beep', 'sequence'],
    ]);
    expect(plan.note).toBeUndefined();
    expect(completions).toBe(0);
  });

  it("uses the language model's events when the request asks for it", async () => {
    const plan = await planOf({ prompt: 'a hum, then beep', decomposer: 'lalm' });
    expect(completions).toBe(1);
    expect(plan.note).toBeUndefined();
    expect(plan.events).toEqual([
      { id: 'e0', text: 'a steady hum', start: 0, end: 3, relation: 'start', count: 1 },
      { id: 'e1', text: 'a short beep', start: 1, end: 1.5, relation: 'overlap', count: 1 },
    ]);
  });

  it("stores the rules' plan with a note when the model's answer is unusable", async () => {
    answer = '{"events": [{"text": "a hum", "start": 2, "end": 1}]}';
    const plan = await planOf({ prompt: 'a hum, then beep', decomposer: 'lalm' });
    expect(completions).toBe(1);
    expect(plan.events.map((e) => e.text)).toEqual(['a hum', 'beep']);
    expect(plan.note).toMatch(/was not used \(the answer does not fit the event schema at events\.0: end must be after start\); the prompt was split into events by the rules/);
  });
});
