/**
 * The language-model decomposer (seed 003) against a local server speaking the OpenAI
 * chat-completions protocol: a valid answer is the plan; a malformed or schema-invalid answer, an
 * HTTP error, a server that is down or too slow each give the rule-based plan with a note saying why.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../main/engine/config';
import { CuebankError } from '../../../main/engine/errors';
import { createDecomposer, decomposerChoice, RuleBasedDecomposer } from '../../../main/engine/loop/decompose';
import { eventsFromAnswer, LalmDecomposer } from '../../../main/engine/loop/decompose-lalm';

/** hang: never answer (so a timeout is the only way out, whatever the machine's speed). */
type Reply = { status?: number; content?: string; raw?: string; hang?: boolean };
let respond: () => Reply;
let requests: { url: string; body: any }[] = [];
let server: http.Server;
let base: string;

const completion = (content: string) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content } }],
});

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      requests.push({ url: req.url!, body: JSON.parse(data || 'null') });
      const r = respond();
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(r.status ?? 200, { 'content-type': 'application/json' });
        res.end(r.raw ?? JSON.stringify(completion(r.content ?? '')));
      };
      if (!r.hang) send();
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
  respond = () => ({ content: GOOD });
});

const PROMPT = 'electrical mains hum, then whoosh';
const GOOD = JSON.stringify({
  events: [
    { text: 'electrical mains hum', start: 0, end: 6, relation: 'start' },
    { text: 'a whoosh', start: 2.5, end: 3.5, relation: 'overlap' },
    { text: 'three beeps', start: 4, end: 9 },
  ],
});
const rulesPlan = new RuleBasedDecomposer().decompose(PROMPT, { duration: 6 });
const decomposer = (timeoutSeconds = 5) => new LalmDecomposer({ url: base, model: 'planner', timeoutSeconds }, new RuleBasedDecomposer());

describe('language-model decomposer', () => {
  it('uses a valid answer: events in its order, ends clamped to the take, relations from the spans, counts from the text', async () => {
    const plan = await decomposer().decompose(PROMPT, { duration: 6 });
    expect(plan.note).toBeUndefined();
    expect(plan.prompt).toBe(PROMPT);
    expect(plan.duration).toBe(6);
    expect(plan.events).toEqual([
      { id: 'e0', text: 'electrical mains hum', start: 0, end: 6, relation: 'start', count: 1 },
      { id: 'e1', text: 'a whoosh', start: 2.5, end: 3.5, relation: 'overlap', count: 1 },
      { id: 'e2', text: 'three beeps', start: 4, end: 6, relation: 'sequence', count: 3 },
    ]);
    // One text-only chat completion, asking for JSON events timed for this take.
    expect(requests).toHaveLength(1);
    expect(requests[0].url).toBe('/v1/chat/completions');
    const body = requests[0].body;
    expect(body.model).toBe('planner');
    expect(body.messages).toHaveLength(1);
    expect(typeof body.messages[0].content).toBe('string');
    expect(body.messages[0].content).toContain(JSON.stringify(PROMPT));
    expect(body.messages[0].content).toContain('6-second clip');
    expect(body.messages[0].content).toMatch(/JSON only/);
  });

  it('accepts the JSON inside a code fence or after a sentence, and a bare list', async () => {
    respond = () => ({ content: `Here are the events:\n\`\`\`json\n${GOOD}\n\`\`\`` });
    expect((await decomposer().decompose(PROMPT, { duration: 6 })).events.map((e) => e.text)).toEqual(['electrical mains hum', 'a whoosh', 'three beeps']);
    respond = () => ({ content: `Sure. [{"text": "a hum", "start": 0, "end": 2}, {"text": "a whoosh", "start": 2, "end": 3}]` });
    const plan = await decomposer().decompose(PROMPT, { duration: 6 });
    expect(plan.note).toBeUndefined();
    expect(plan.events.map((e) => [e.text, e.relation])).toEqual([
      ['a hum', 'start'],
      ['a whoosh', 'sequence'],
    ]);
  });

  it('falls back to the rules with a note when the answer is not JSON', async () => {
    respond = () => ({ content: 'The events are a hum and then a whoosh.' });
    const plan = await decomposer().decompose(PROMPT, { duration: 6 });
    expect(plan.events).toEqual(rulesPlan.events);
    expect(plan.note).toMatch(/language-model decomposer at http:\/\/127\.0\.0\.1:\d+ was not used \(the answer is not JSON: "The events are a hum/);
    expect(plan.note).toMatch(/split into events by the rules/);
  });

  it.each([
    ['an end before its start', { events: [{ text: 'a hum', start: 3, end: 1 }] }, /end must be after start/],
    ['a negative start', { events: [{ text: 'a hum', start: -1, end: 2 }] }, /events\.0\.start/],
    ['an empty text', { events: [{ text: ' ', start: 0, end: 2 }] }, /events\.0\.text/],
    ['no events', { events: [] }, /event schema/],
    ['a count that is not a whole number', { events: [{ text: 'knocks', start: 0, end: 2, count: 2.5 }] }, /events\.0\.count/],
    ['a start after the take ends', { events: [{ text: 'a hum', start: 0, end: 2 }, { text: 'a whoosh', start: 7, end: 8 }] }, /"a whoosh" starts at 7 s, after the 6 s take ends/],
  ])('rejects %s: rules with a note', async (_what, answer, why) => {
    respond = () => ({ content: JSON.stringify(answer) });
    const plan = await decomposer().decompose(PROMPT, { duration: 6 });
    expect(plan.events).toEqual(rulesPlan.events);
    expect(plan.note).toMatch(why);
  });

  it('falls back to the rules with a note on an HTTP error, naming the status', async () => {
    respond = () => ({ status: 503, raw: JSON.stringify({ error: { message: 'model is loading' } }) });
    const plan = await decomposer().decompose(PROMPT, { duration: 6 });
    expect(plan.events).toEqual(rulesPlan.events);
    expect(plan.note).toMatch(/HTTP 503: model is loading/);
  });

  it('falls back to the rules with a note when the endpoint does not answer in time', async () => {
    respond = () => ({ hang: true });
    const plan = await decomposer(0.2).decompose(PROMPT, { duration: 6 });
    expect(plan.events).toEqual(rulesPlan.events);
    expect(plan.note).toMatch(/did not answer within 0\.2 s/);
  });

  it('falls back to the rules with a note when the server is down', async () => {
    const down = http.createServer();
    await new Promise<void>((r) => down.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(down.address() as AddressInfo).port}`;
    await new Promise((r) => down.close(r));
    const plan = await new LalmDecomposer({ url, model: null, timeoutSeconds: 5 }, new RuleBasedDecomposer()).decompose(PROMPT, { duration: 6 });
    expect(plan.events).toEqual(rulesPlan.events);
    expect(plan.note).toMatch(/Cannot reach .* ECONNREFUSED/);
  });

  it('rejects bad input as the rules do, without asking the model', async () => {
    await expect(decomposer().decompose(' , ', { duration: 6 })).rejects.toThrow(/names no sound/);
    await expect(decomposer().decompose(PROMPT, { duration: 0 })).rejects.toThrow(CuebankError);
    expect(requests).toHaveLength(0);
  });

  it('eventsFromAnswer keeps an end inside the take and drops nothing it accepts', () => {
    const r = eventsFromAnswer('{"events":[{"text":"rain","start":0,"end":60},{"text":"a door slams","start":1.2345,"end":2}]}', 6);
    expect(r).toEqual({
      events: [
        { id: 'e0', text: 'rain', start: 0, end: 6, relation: 'start', count: 1 },
        { id: 'e1', text: 'a door slams', start: 1.235, end: 2, relation: 'overlap', count: 1 },
      ],
    });
  });
});

describe('choosing the decomposer', () => {
  const config = (generate: object = {}, lalmUrl: string | null = null) =>
    resolveConfig({ dbPath: ':memory:', modelsDir: '/none', generate, critic: { lalm: { url: lalmUrl, timeoutSeconds: 7, model: 'm' } } });

  it('is the rules by default and when asked', () => {
    expect(decomposerChoice(config(), {})).toEqual({ kind: 'rules' });
    expect(decomposerChoice(config({ decomposer: 'lalm', decomposerUrl: 'http://a' }), { decomposer: 'rules' })).toEqual({ kind: 'rules' });
    expect(createDecomposer()).toBeInstanceOf(RuleBasedDecomposer);
  });

  it('takes the language model URL from generate.decomposerUrl, else the request critic URL, else critic.lalm.url', () => {
    const endpoint = (url: string) => ({ kind: 'lalm', endpoint: { url, model: 'm', timeoutSeconds: 7 } });
    expect(decomposerChoice(config({ decomposer: 'lalm', decomposerUrl: 'http://planner' }, 'http://critic'), { criticUrl: 'http://req' })).toEqual(endpoint('http://planner'));
    expect(decomposerChoice(config({}, 'http://critic'), { decomposer: 'lalm', criticUrl: 'http://req' })).toEqual(endpoint('http://req'));
    expect(decomposerChoice(config({}, 'http://critic'), { decomposer: 'lalm' })).toEqual(endpoint('http://critic'));
    expect(createDecomposer(decomposerChoice(config({}, 'http://critic'), { decomposer: 'lalm' }))).toBeInstanceOf(LalmDecomposer);
  });

  it('is a clear error when the language model has no URL', () => {
    expect(() => decomposerChoice(config(), { decomposer: 'lalm' })).toThrow(/needs the URL of an OpenAI-compatible endpoint/);
  });
});
