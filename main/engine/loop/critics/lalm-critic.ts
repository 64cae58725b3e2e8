/**
 * The audio-language-model critic (seed 000's feedback question, seed 002's yes/no score) over an
 * OpenAI-compatible endpoint: it asks "What sound events are missing from the audio compared to
 * <prompt>?" once (the free answer is kept for the user), then per event "Does the audio contain
 * <event>? Answer yes or no." and scores P(yes)/(P(yes)+P(no)) from the first token's top
 * log-probabilities. A model answers about the whole take, so an event's curve is flat at its
 * presence over the windows its expected span touches and 0 elsewhere (not asked, not measured).
 */
import { encodeWav, resample, toMono } from '../../audio';
import type { DecodedAudio } from '../../audio/types';
import type { CriticSettings } from '../../config';
import { CuebankError } from '../../errors';
import type { Critic, Critique, EventCritique, EventPlan } from '../types';
import { overallScore, verdictOfPresence } from './calibration';
import { askAboutAudio, type LalmEndpoint } from './lalm-client';
import { curveGrid, takeSeconds } from './take-windows';
import { yesNoPresence } from './yes-no';

export interface LalmCriticDeps {
  settings: CriticSettings;
  /** Overrides settings.lalm.url (the generate request's criticUrl). */
  url?: string | null;
}

/** Seed 000's question, verbatim. */
export const missingQuestion = (prompt: string) => `What sound events are missing from the audio compared to ${prompt}?`;
export const containsQuestion = (event: string) => `Does the audio contain ${event}? Answer yes or no.`;

const excerpt = (s: string) => {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > 80 ? `${one.slice(0, 80)}…` : one;
};

export class LalmCritic implements Critic {
  readonly id = 'lalm' as const;
  private readonly endpoint: LalmEndpoint;

  constructor(private readonly deps: LalmCriticDeps) {
    const url = deps.url ?? deps.settings.lalm.url;
    if (!url) {
      throw new CuebankError(
        'invalid_input',
        'The audio-language-model critic needs the URL of an OpenAI-compatible endpoint that accepts audio (critic URL, or settings critic.lalm.url).',
      );
    }
    this.endpoint = { url, model: deps.settings.lalm.model, timeoutSeconds: deps.settings.lalm.timeoutSeconds };
  }

  async critique(take: DecodedAudio, plan: EventPlan, signal?: AbortSignal): Promise<Critique> {
    const s = this.deps.settings;
    const audio = this.encodeTake(take);
    const free = await askAboutAudio(this.endpoint, audio, missingQuestion(plan.prompt), { maxTokens: s.lalm.answerTokens, signal });
    if (!free.text.trim()) {
      throw new CuebankError('model_error', `The audio-language model gave an empty answer to "${missingQuestion(plan.prompt)}".`);
    }
    const grid = curveGrid(takeSeconds(take), s.windowSeconds, s.hopSeconds);
    const events: EventCritique[] = [];
    for (const event of plan.events) {
      const question = containsQuestion(event.text);
      const reply = await askAboutAudio(this.endpoint, audio, question, { maxTokens: 1, topLogprobs: s.lalm.topLogprobs, signal });
      if (!reply.firstTokenTop?.length) {
        throw new CuebankError(
          'model_error',
          `The audio-language model returned no log-probabilities for "${question}"; the endpoint must support logprobs with top_logprobs.`,
        );
      }
      const yn = yesNoPresence(reply.firstTokenTop);
      if (!yn) {
        const tokens = reply.firstTokenTop.slice(0, 5).map((t) => JSON.stringify(t.token)).join(', ');
        throw new CuebankError(
          'model_error',
          `The audio-language model did not answer yes or no to "${question}" (it answered "${excerpt(reply.text)}"; top tokens ${tokens}).`,
        );
      }
      const values = Array.from({ length: grid.count }, (_, i) =>
        i * grid.hop < event.end && i * grid.hop + grid.window > event.start ? yn.presence : 0,
      );
      events.push({
        eventId: event.id,
        text: event.text,
        start: event.start,
        end: event.end,
        score: yn.presence,
        verdict: verdictOfPresence(yn.presence, s.lalm),
        curve: { hop: grid.hop, window: grid.window, values },
      });
    }
    return { critic: 'lalm', events, score: overallScore(events.map((e) => e.score)), answer: free.text.trim() };
  }

  /** Mono 16-bit WAV at the listening rate, base64: what input_audio carries. */
  private encodeTake(take: DecodedAudio): string {
    if (!take.channels.length || !take.channels[0].length) throw new CuebankError('invalid_input', 'The take has no audio to critique.');
    const rate = this.deps.settings.lalm.sampleRate;
    const mono = toMono(take.channels);
    const samples = take.sampleRate === rate ? mono : resample(mono, take.sampleRate, rate);
    return encodeWav({ sampleRate: rate, channels: [samples] }, 'pcm16').toString('base64');
  }
}
