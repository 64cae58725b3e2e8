/**
 * The fixture audio-language model (test/fixtures/lalm-server.ts): it hears the fixture concepts a
 * WAV holds, answers the LALM critic's questions in llama-server's format, captions, and records.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../../main/engine/audio';
import { resolveCriticSettings } from '../../../main/engine/config';
import { LalmCritic } from '../../../main/engine/loop/critics';
import { RuleBasedDecomposer } from '../../../main/engine/loop/decompose';
import { startFixtureLalmServer, type FixtureLalmServer } from '../../fixtures/lalm-server';
import { renderConcept } from '../../fixtures/sounds';

let server: FixtureLalmServer;
beforeAll(async () => {
  server = await startFixtureLalmServer();
});
afterAll(() => server.stop());

const RATE = 48_000;
/** 4 s: a rumble for the first 2 s, then a kettle whistle. */
const take = (() => {
  const x = new Float32Array(4 * RATE);
  x.set(renderConcept('rumble', { sampleRate: RATE, seconds: 2, levelDb: -20 }), 0);
  x.set(renderConcept('whistle', { sampleRate: RATE, seconds: 2, levelDb: -20 }), 2 * RATE);
  return { sampleRate: RATE, channels: [x] };
})();

async function ask(text: string) {
  const res = await fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: encodeWav(take).toString('base64'), format: 'wav' } }, { type: 'text', text }] }],
    }),
  });
  return { status: res.status, json: (await res.json()) as any };
}

describe('fixture LALM server', () => {
  it('captions what it hears, in order, with the concepts\' description words', async () => {
    const r = await ask('Describe the audio in one sentence.');
    expect(r.status).toBe(200);
    expect(r.json.choices[0].message.content).toBe('A low rumble with a kettle whistle.');
    const rec = server.requests.at(-1)!;
    expect(rec.heard.map((h) => h.concept)).toEqual(['rumble', 'whistle']);
    expect(rec.audio).toEqual({ sampleRate: RATE, channels: 1, seconds: 4 });
  });

  it('answers the LALM critic: present concepts yes, an absent one no, and names what is missing', async () => {
    const settings = resolveCriticSettings({ lalm: { url: server.url, timeoutSeconds: 10 } });
    const plan = new RuleBasedDecomposer().decompose('a low rumble, then a kettle whistle, then a high beep', { duration: 4 });
    const before = server.requests.length;
    const c = await new LalmCritic({ settings }).critique(take, plan);
    expect(c.events.map((e) => e.verdict)).toEqual(['present', 'present', 'missing']);
    expect(c.events[0].score).toBeGreaterThan(0.95);
    expect(c.events[2].score).toBeLessThan(0.05);
    expect(c.answer).toMatch(/^The audio is missing a high beep/);
    const got = server.requests.slice(before);
    expect(got).toHaveLength(4);
    // The critic sends 16 kHz mono; the server heard it as such.
    expect(got.every((r) => r.audio?.sampleRate === 16_000 && r.audio.channels === 1)).toBe(true);
    expect(got[1].body.top_logprobs).toBe(settings.lalm.topLogprobs);
  });

  it('a request without audio is an HTTP 400 with a message, and is recorded', async () => {
    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ messages: [{ role: 'user', content: [{ type: 'text', text: 'Describe the audio.' }] }] }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error.message).toBe('no input_audio in the request');
    expect(server.requests.at(-1)!.status).toBe(400);
  });
});
