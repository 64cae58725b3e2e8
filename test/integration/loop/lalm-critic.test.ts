/**
 * The LALM critic against a local server that speaks the OpenAI chat-completions protocol with
 * input_audio and logprobs (as llama.cpp's llama-server does): what it sends, how it scores, and
 * that every failure is an error the user sees.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resolveCriticSettings, type CriticSettings } from '../../../main/engine/config';
import { CuebankError } from '../../../main/engine/errors';
import { LalmCritic, createCritic } from '../../../main/engine/loop/critics';
import { RuleBasedDecomposer } from '../../../main/engine/loop/decompose';
import { readWav } from '../models/helpers';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

interface Recorded {
  method: string;
  url: string;
  contentType: string | undefined;
  body: any;
}

type Reply = { status?: number; json?: unknown; raw?: string; delayMs?: number };
/** How the fake model answers one request; the default behaves like a working audio LLM. */
let respond: (body: any) => Reply;
let requests: Recorded[] = [];
let server: http.Server;
let base: string;

const question = (body: any): string => body.messages[0].content.find((p: any) => p.type === 'text').text;
const completion = (content: string, top?: [string, number][]) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  choices: [
    {
      index: 0,
      finish_reason: 'stop',
      message: { role: 'assistant', content },
      logprobs: top
        ? { content: [{ token: top[0][0], logprob: top[0][1], top_logprobs: top.map(([token, logprob]) => ({ token, logprob, bytes: [] })) }] }
        : null,
    },
  ],
});

/** A working model: P(yes) per event by the event's words. */
const PROBS: Record<string, [string, number][]> = {
  'a door creaks': [['Yes', Math.log(0.6)], ['No', Math.log(0.2)], [' yes', Math.log(0.1)], ['The', Math.log(0.05)]],
  'a door slams': [['No', Math.log(0.9)], [' yes', Math.log(0.05)], ['no', Math.log(0.03)], ['I', Math.log(0.01)]],
  'rain falls': [['Yes', Math.log(0.3)], ['No', Math.log(0.5)], ['yes', Math.log(0.1)]],
};
function workingModel(body: any): Reply {
  const q = question(body);
  if (q.startsWith('What sound events are missing')) return { json: completion('The door slam is missing.') };
  const key = Object.keys(PROBS).find((k) => q.includes(k));
  const top = key ? PROBS[key] : [['No', -0.1] as [string, number]];
  return { json: completion(top[0][0], top) };
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      let body: any = null;
      try {
        body = JSON.parse(data);
      } catch {
        /* recorded as null */
      }
      requests.push({ method: req.method!, url: req.url!, contentType: req.headers['content-type'], body });
      const r = respond(body);
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(r.status ?? 200, { 'content-type': r.raw !== undefined ? 'text/plain' : 'application/json' });
        res.end(r.raw ?? JSON.stringify(r.json));
      };
      if (r.delayMs) setTimeout(send, r.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

beforeEach(() => {
  requests = [];
  respond = workingModel;
});

const settings = (lalm: Partial<CriticSettings['lalm']> = {}): CriticSettings =>
  resolveCriticSettings({ lalm: { url: base, timeoutSeconds: 5, topLogprobs: 7, ...lalm } });
const prompt = 'a door creaks, then a door slams, while rain falls';
const plan = new RuleBasedDecomposer().decompose(prompt, { duration: 4 });
/** A 4 s stereo take at 44.1 kHz: a 440 Hz tone on the left, silence on the right. */
const take = (() => {
  const n = 4 * 44_100;
  const l = new Float32Array(n);
  for (let i = 0; i < n; i++) l[i] = 0.5 * Math.sin((2 * Math.PI * 440 * i) / 44_100);
  return { sampleRate: 44_100, channels: [l, new Float32Array(n)] };
})();

describe('LALM critic requests', () => {
  it('asks the seed question, then one yes/no question per event, each with the take attached as WAV', async () => {
    const critique = await new LalmCritic({ settings: settings({ model: 'qwen2.5-omni' }) }).critique(take, plan);
    expect(plan.events.map((e) => e.text)).toEqual(['a door creaks', 'a door slams', 'rain falls']);
    expect(requests).toHaveLength(4);
    for (const r of requests) {
      expect(r.method).toBe('POST');
      expect(r.url).toBe('/v1/chat/completions');
      expect(r.contentType).toMatch(/application\/json/);
      expect(r.body.model).toBe('qwen2.5-omni');
      expect(r.body.temperature).toBe(0);
      expect(r.body.messages).toHaveLength(1);
      expect(r.body.messages[0].role).toBe('user');
      const audio = r.body.messages[0].content.find((p: any) => p.type === 'input_audio');
      expect(audio.input_audio.format).toBe('wav');
      // The attachment is the take: mono 16 kHz 16-bit WAV, 4 s, the tone at half level mixed down.
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cuebank-lalm-')), 'take.wav');
      fs.writeFileSync(file, Buffer.from(audio.input_audio.data, 'base64'));
      const wav = readWav(file);
      expect(wav.sampleRate).toBe(16_000);
      expect(wav.channels).toHaveLength(1);
      expect(wav.bits).toBe(16);
      expect(wav.channels[0].length).toBe(64_000);
      const peak = wav.channels[0].reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      expect(peak).toBeGreaterThan(0.23);
      expect(peak).toBeLessThan(0.27);
    }
    expect(question(requests[0].body)).toBe(`What sound events are missing from the audio compared to ${prompt}?`);
    expect(requests[0].body.logprobs).toBeUndefined();
    expect(requests[0].body.max_tokens).toBe(200);
    expect(requests.slice(1).map((r) => question(r.body))).toEqual([
      'Does the audio contain a door creaks? Answer yes or no.',
      'Does the audio contain a door slams? Answer yes or no.',
      'Does the audio contain rain falls? Answer yes or no.',
    ]);
    for (const r of requests.slice(1)) {
      expect(r.body.logprobs).toBe(true);
      expect(r.body.top_logprobs).toBe(7);
      expect(r.body.max_tokens).toBe(1);
    }
    expect(critique.answer).toBe('The door slam is missing.');
  });

  it('leaves "model" out when none is configured and accepts a base URL ending in /v1', async () => {
    await new LalmCritic({ settings: settings(), url: `${base}/v1/` }).critique(take, plan);
    expect(requests[0].url).toBe('/v1/chat/completions');
    expect('model' in requests[0].body).toBe(false);
  });
});

describe('LALM critic scores', () => {
  it('presence = P(yes)/(P(yes)+P(no)) with every spelling summed; verdicts, overall score and flat curves follow', async () => {
    const c = await createCritic({ id: 'lalm', settings: settings() }).critique(take, plan);
    expect(c.critic).toBe('lalm');
    const [creak, slam, rain] = c.events;
    expect(creak.score).toBeCloseTo(0.7 / 0.9, 12);
    expect(slam.score).toBeCloseTo(0.05 / 0.98, 12);
    expect(rain.score).toBeCloseTo(0.4 / 0.9, 12);
    expect([creak.verdict, slam.verdict, rain.verdict]).toEqual(['present', 'missing', 'weak']);
    expect(c.score).toBeCloseTo((0.7 / 0.9 + 0.05 / 0.98 + 0.4 / 0.9) / 3, 12);
    // No timing from a language model: flat at the presence over the windows the span touches.
    expect(creak.curve.hop).toBe(0.5);
    expect(creak.curve.window).toBe(1);
    expect(creak.curve.values).toHaveLength(7);
    const touched = (i: number, e: { start: number; end: number }) => i * 0.5 < e.end && i * 0.5 + 1 > e.start;
    creak.curve.values.forEach((v, i) => expect(v).toBe(touched(i, creak) ? creak.score : 0));
    expect(rain.curve.values.every((v) => v === rain.score)).toBe(true);
  });
});

describe('LALM critic failures are errors, never passes', () => {
  const critique = (lalm: Partial<CriticSettings['lalm']> = {}) => new LalmCritic({ settings: settings(lalm) }).critique(take, plan);

  async function failure(p: Promise<unknown>): Promise<CuebankError> {
    const err = await p.then(
      () => null,
      (e) => e,
    );
    expect(err).toBeInstanceOf(CuebankError);
    return err as CuebankError;
  }

  it('a timeout', async () => {
    respond = () => ({ json: completion('late'), delayMs: 3000 });
    const err = await failure(critique({ timeoutSeconds: 0.2 }));
    expect(err.code).toBe('model_error');
    expect(err.message).toBe(`The audio-language model at ${base} did not answer within 0.2 s.`);
  });

  it('an HTTP error, with the server\'s message', async () => {
    respond = () => ({ status: 500, json: { error: { code: 500, message: 'audio input is not supported by this model', type: 'server_error' } } });
    const err = await failure(critique());
    expect(err.code).toBe('model_error');
    expect(err.message).toBe(`The audio-language model at ${base} answered HTTP 500: audio input is not supported by this model.`);
  });

  it('an answer that is neither yes nor no', async () => {
    respond = (b) =>
      question(b).startsWith('What') ? { json: completion('Rain.') } : { json: completion('I', [['I', -0.2], ['Sorry', -2], ['The', -3]]) };
    const err = await failure(critique());
    expect(err.code).toBe('model_error');
    expect(err.message).toMatch(/^The audio-language model did not answer yes or no to "Does the audio contain a door creaks\? Answer yes or no\."/);
    expect(err.message).toContain('"I"');
  });

  it('no log-probabilities at all', async () => {
    respond = (b) => ({ json: completion(question(b).startsWith('What') ? 'Rain.' : 'Yes') });
    const err = await failure(critique());
    expect(err.message).toMatch(/returned no log-probabilities .*must support logprobs with top_logprobs/);
  });

  it('a refusal, and an empty answer to the seed question', async () => {
    respond = () => ({ json: { choices: [{ message: { role: 'assistant', content: null, refusal: 'I cannot listen to audio.' } }] } });
    expect((await failure(critique())).message).toMatch(/refused to answer .*I cannot listen to audio\./);
    respond = () => ({ json: completion('   ') });
    expect((await failure(critique())).message).toMatch(/gave an empty answer to "What sound events are missing/);
  });

  it('a reply that is not JSON, or has no choices', async () => {
    respond = () => ({ raw: '<html>proxy error</html>' });
    expect((await failure(critique())).message).toMatch(/sent a reply that is not JSON: "<html>proxy error<\/html>"/);
    respond = () => ({ json: { object: 'chat.completion' } });
    expect((await failure(critique())).message).toMatch(/without an answer/);
  });

  it('nobody listening at the URL', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((r) => closed.close(r));
    const err = await failure(new LalmCritic({ settings: settings(), url }).critique(take, plan));
    expect(err.code).toBe('model_error');
    expect(err.message).toBe(`Cannot reach the audio-language model at ${url}: ECONNREFUSED.`);
  });

  it('no URL configured', () => {
    expect(() => new LalmCritic({ settings: resolveCriticSettings() })).toThrow(/needs the URL of an OpenAI-compatible endpoint/);
  });

  it('cancel is "cancelled", not a model error', async () => {
    respond = () => ({ json: completion('late'), delayMs: 3000 });
    const ac = new AbortController();
    const c = new LalmCritic({ settings: settings() }).critique(take, plan, ac.signal);
    setTimeout(() => ac.abort(), 50);
    const err = await failure(c);
    expect(err.code).toBe('cancelled');
  });
});
