/**
 * Captions from an audio-language model over the OpenAI-compatible endpoint the LALM critic uses
 * (its client, main/engine/loop/critics/lalm-client.ts): the audio as `input_audio` and a
 * question. The final question carries the retrieved captions as context (seed 001 §3.1: the
 * model "retrieves relevant audio-text pairs to provide contextual information").
 */
import { encodeWav, resample, toMono } from '../../audio';
import type { DecodedAudio } from '../../audio/types';
import type { LalmCriticSettings, TaggingSettings } from '../../config';
import { CuebankError } from '../../errors';
import { askAboutAudio, type LalmEndpoint } from '../../loop/critics/lalm-client';
import type { LalmCaptioner } from './types';

export const FIRST_QUESTION = 'Describe the sound in this audio in one short sentence, the way a sound library would caption it.';

export function contextQuestion(captions: readonly string[]): string {
  if (!captions.length) return FIRST_QUESTION;
  const list = captions.map((c, i) => `${i + 1}. "${c}"`).join('\n');
  return (
    'Describe the sound in this audio in one short sentence, the way a sound library would caption it. ' +
    `Similar sounds in the same library are captioned:\n${list}\n` +
    'Write the caption in their style, naming only what you hear in this audio.'
  );
}

/** One line, no surrounding quotes; an empty answer is an error, never a caption. */
function cleanCaption(text: string, url: string): string {
  const one = text.replace(/\s+/g, ' ').trim().replace(/^["'“]+|["'”]+$/g, '').trim();
  if (!one) throw new CuebankError('model_error', `The audio-language model at ${url} gave an empty caption.`);
  return one;
}

export class EndpointCaptioner implements LalmCaptioner {
  readonly url: string;

  constructor(
    private readonly endpoint: LalmEndpoint,
    private readonly o: { sampleRate: number; maxTokens: number },
  ) {
    this.url = endpoint.url;
  }

  async describe(audio: DecodedAudio, signal?: AbortSignal): Promise<string> {
    const answer = await askAboutAudio(this.endpoint, this.wav(audio), FIRST_QUESTION, { maxTokens: this.o.maxTokens, signal });
    return cleanCaption(answer.text, this.url);
  }

  async describeWithContext(audio: DecodedAudio, captions: readonly string[], signal?: AbortSignal): Promise<string> {
    const answer = await askAboutAudio(this.endpoint, this.wav(audio), contextQuestion(captions), { maxTokens: this.o.maxTokens, signal });
    return cleanCaption(answer.text, this.url);
  }

  /** Mono 16-bit WAV at the model's listening rate, base64. */
  private wav(audio: DecodedAudio): string {
    if (!audio.channels.length || !audio.channels[0].length) throw new CuebankError('invalid_input', 'The file has no audio to caption.');
    const mono = toMono(audio.channels);
    const samples = audio.sampleRate === this.o.sampleRate ? mono : resample(mono, audio.sampleRate, this.o.sampleRate);
    return encodeWav({ sampleRate: this.o.sampleRate, channels: [samples] }, 'pcm16').toString('base64');
  }
}

/** The configured captioner (request URL over `tagging.lalmUrl`), or null when none is configured. */
export function createLalmCaptioner(tagging: TaggingSettings, lalm: LalmCriticSettings, url?: string | null): LalmCaptioner | null {
  const base = url ?? tagging.lalmUrl;
  if (!base) return null;
  return new EndpointCaptioner(
    { url: base, model: lalm.model, timeoutSeconds: lalm.timeoutSeconds },
    { sampleRate: lalm.sampleRate, maxTokens: tagging.kb.captionTokens },
  );
}
