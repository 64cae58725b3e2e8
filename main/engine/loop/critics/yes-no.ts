/**
 * Seed 002's yes/no score: presence = P(yes) / (P(yes) + P(no)) from the log-probabilities of the
 * answer's first token. Every spelling of an answer counts ("yes", "Yes", " yes", "YES", "▁Yes"):
 * their probabilities are summed (log-sum-exp).
 */

export interface TokenLogprob {
  token: string;
  logprob: number;
}

export interface YesNo {
  /** log P(yes), summed over spellings; null when no spelling was among the returned tokens. */
  logYes: number | null;
  logNo: number | null;
  /** P(yes) / (P(yes) + P(no)). */
  presence: number;
  /** True when one answer was absent from the top tokens and its probability was bounded (see below). */
  bounded: boolean;
}

/** What an answer token says, after dropping case, spaces, tokenizer word marks and punctuation. */
export function answerOf(token: string): 'yes' | 'no' | null {
  const t = token.toLowerCase().replace(/[^a-z]/g, '');
  return t === 'yes' ? 'yes' : t === 'no' ? 'no' : null;
}

export function logSumExp(values: readonly number[]): number {
  const m = Math.max(...values);
  if (m === -Infinity) return -Infinity;
  return m + Math.log(values.reduce((s, v) => s + Math.exp(v - m), 0));
}

/**
 * The presence from the top tokens, or null when neither answer is among them. When only one is,
 * the other's probability is at most that of the least likely listed token (it was not listed),
 * and that bound is used: the score then leans away from the listed answer, never towards it.
 */
export function yesNoPresence(top: readonly TokenLogprob[]): YesNo | null {
  const yes: number[] = [];
  const no: number[] = [];
  for (const t of top) {
    if (!Number.isFinite(t.logprob) && t.logprob !== -Infinity) continue;
    const a = answerOf(t.token);
    if (a === 'yes') yes.push(t.logprob);
    else if (a === 'no') no.push(t.logprob);
  }
  if (!yes.length && !no.length) return null;
  const floor = Math.min(...top.map((t) => t.logprob).filter((v) => Number.isFinite(v)));
  const logYes = yes.length ? logSumExp(yes) : null;
  const logNo = no.length ? logSumExp(no) : null;
  const ly = logYes ?? floor;
  const ln = logNo ?? floor;
  // P(yes)/(P(yes)+P(no)) = 1 / (1 + exp(ln − ly)), stable for very small probabilities.
  const presence = 1 / (1 + Math.exp(ln - ly));
  return { logYes, logNo, presence, bounded: logYes === null || logNo === null };
}
