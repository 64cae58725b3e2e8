import { describe, expect, it } from 'vitest';
import { answerOf, logSumExp, yesNoPresence } from '../../../../main/engine/loop/critics/yes-no';

describe('yes/no presence from log-probabilities (seed 002)', () => {
  it('is P(yes)/(P(yes)+P(no))', () => {
    const r = yesNoPresence([
      { token: 'Yes', logprob: Math.log(0.6) },
      { token: 'No', logprob: Math.log(0.2) },
      { token: 'The', logprob: Math.log(0.1) },
    ])!;
    expect(r.presence).toBeCloseTo(0.75, 12);
    expect(r.bounded).toBe(false);
  });

  it('sums every spelling of an answer (log-sum-exp)', () => {
    const r = yesNoPresence([
      { token: 'Yes', logprob: Math.log(0.3) },
      { token: ' yes', logprob: Math.log(0.1) },
      { token: '▁YES', logprob: Math.log(0.05) },
      { token: 'No', logprob: Math.log(0.3) },
      { token: 'no.', logprob: Math.log(0.15) },
    ])!;
    expect(Math.exp(r.logYes!)).toBeCloseTo(0.45, 12);
    expect(Math.exp(r.logNo!)).toBeCloseTo(0.45, 12);
    expect(r.presence).toBeCloseTo(0.5, 12);
  });

  it('stays exact for very unlikely answers', () => {
    const r = yesNoPresence([
      { token: 'Yes', logprob: -800 },
      { token: 'No', logprob: -801 },
    ])!;
    expect(r.presence).toBeCloseTo(1 / (1 + Math.exp(-1)), 12);
  });

  it('bounds an absent answer by the least likely listed token, leaning away from the listed one', () => {
    const r = yesNoPresence([
      { token: 'Yes', logprob: Math.log(0.9) },
      { token: 'Maybe', logprob: Math.log(0.05) },
    ])!;
    expect(r.bounded).toBe(true);
    expect(r.logNo).toBeNull();
    expect(r.presence).toBeCloseTo(0.9 / 0.95, 12);
  });

  it('is null when neither answer is among the tokens', () => {
    expect(yesNoPresence([{ token: 'I', logprob: -0.1 }, { token: 'Sorry', logprob: -3 }])).toBeNull();
    expect(yesNoPresence([])).toBeNull();
  });

  it('reads answers in any case, spacing or tokenizer marking, and nothing else', () => {
    for (const t of ['yes', 'Yes', ' YES', 'Ġyes', '▁Yes', 'yes.', 'Yes!']) expect(answerOf(t)).toBe('yes');
    for (const t of ['no', ' No', 'NO', 'no,']) expect(answerOf(t)).toBe('no');
    for (const t of ['yess', 'nope', 'not', 'know', 'y', '']) expect(answerOf(t)).toBeNull();
  });

  it('log-sum-exp matches the direct sum', () => {
    expect(logSumExp([Math.log(0.2), Math.log(0.3)])).toBeCloseTo(Math.log(0.5), 12);
    expect(logSumExp([-Infinity, -Infinity])).toBe(-Infinity);
  });
});
