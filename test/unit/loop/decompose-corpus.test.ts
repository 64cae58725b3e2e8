/**
 * The decomposition corpus (decompose-corpus.json): every prompt's events as the rule-based
 * decomposer lays them out, compared with what is expected: text, relation, count, and start/end
 * within the corpus tolerance. Each prompt is its own test whose failure lists every difference;
 * the summary prints how many prompts match, by kind.
 */
import { describe, expect, it } from 'vitest';
import { RuleBasedDecomposer } from '../../../main/engine/loop/decompose';
import type { EventRelation } from '../../../main/engine/loop/types';
import corpus from './decompose-corpus.json';

interface ExpectedEvent {
  text: string;
  relation: EventRelation;
  start: number;
  end: number;
  count?: number;
}

interface CorpusPrompt {
  kind: string;
  prompt: string;
  duration?: number;
  events: ExpectedEvent[];
}

const { tolerance, prompts } = corpus as { tolerance: number; prompts: CorpusPrompt[] };
const decomposer = new RuleBasedDecomposer();
const DEFAULT_DURATION = 10;

/** Every way the decomposer's plan differs from the expected events, one line each. */
function differences(c: CorpusPrompt): string[] {
  const got = decomposer.decompose(c.prompt, { duration: c.duration ?? DEFAULT_DURATION }).events;
  const out: string[] = [];
  if (got.length !== c.events.length) {
    out.push(`${got.length} events instead of ${c.events.length}: [${got.map((e) => `"${e.text}"`).join(', ')}]`);
  }
  c.events.forEach((want, i) => {
    const e = got[i];
    if (!e) return;
    const at = `event ${i} ("${want.text}")`;
    if (e.text !== want.text) out.push(`${at}: text "${e.text}"`);
    if (e.relation !== want.relation) out.push(`${at}: relation ${e.relation}, expected ${want.relation}`);
    if (e.count !== (want.count ?? 1)) out.push(`${at}: count ${e.count}, expected ${want.count ?? 1}`);
    if (Math.abs(e.start - want.start) > tolerance) out.push(`${at}: starts at ${e.start} s, expected ${want.start} ± ${tolerance}`);
    if (Math.abs(e.end - want.end) > tolerance) out.push(`${at}: ends at ${e.end} s, expected ${want.end} ± ${tolerance}`);
  });
  return out;
}

describe('decomposition corpus', () => {
  it('holds at least 100 prompts covering sequence, overlap, beds, counts, before/after and sound nouns after "then"', () => {
    expect(prompts.length).toBeGreaterThanOrEqual(100);
    const kinds = new Set(prompts.map((p) => p.kind));
    for (const k of ['sequence', 'overlap', 'bed', 'count', 'before/after', 'subject', 'sound noun']) expect(kinds).toContain(k);
    const nounsAfterThen = prompts.filter((p) => p.kind === 'sound noun' && /\bthen\b/.test(p.prompt));
    expect(nounsAfterThen.length).toBeGreaterThanOrEqual(15);
    for (const p of prompts) {
      expect(p.events.length, p.prompt).toBeGreaterThan(0);
      for (const e of p.events) expect(e.end, `${p.prompt}: ${e.text}`).toBeGreaterThan(e.start);
    }
    expect(new Set(prompts.map((p) => `${p.prompt}|${p.duration ?? ''}`)).size).toBe(prompts.length);
  });

  it.each(prompts.map((p) => [p.kind, p.prompt, p] as const))('%s: "%s"', (_kind, _prompt, c) => {
    expect(differences(c)).toEqual([]);
  });

  it('summary: prompts whose plan matches, by kind', () => {
    const byKind = new Map<string, { pass: number; total: number }>();
    const failed: string[] = [];
    for (const p of prompts) {
      const diff = differences(p);
      const k = byKind.get(p.kind) ?? { pass: 0, total: 0 };
      k.total++;
      if (!diff.length) k.pass++;
      else failed.push(`  "${p.prompt}"\n    ${diff.join('\n    ')}`);
      byKind.set(p.kind, k);
    }
    const passed = prompts.length - failed.length;
    const kinds = [...byKind].map(([k, v]) => `${k} ${v.pass}/${v.total}`).join(', ');
    console.log(`decomposition corpus: ${passed}/${prompts.length} prompts match (${kinds})${failed.length ? `\n${failed.join('\n')}` : ''}`);
    expect(failed).toEqual([]);
  });
});
