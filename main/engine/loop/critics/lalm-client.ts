/**
 * A minimal client for an OpenAI-compatible chat-completions endpoint that accepts audio
 * (llama.cpp's llama-server with an audio model, vLLM, …): one user message holding the take as
 * `input_audio` (base64 WAV) and a question. Every failure is a CuebankError with a message the
 * user can act on; nothing here ever turns a failure into an answer.
 */
import { CuebankError } from '../../errors';
import type { TokenLogprob } from './yes-no';

export interface LalmEndpoint {
  /** Base URL; requests go to {url}/v1/chat/completions. */
  url: string;
  model: string | null;
  timeoutSeconds: number;
}

export interface AskOptions {
  maxTokens: number;
  /** Ask for the first token's top log-probabilities. */
  topLogprobs?: number;
  signal?: AbortSignal;
}

export interface LalmAnswer {
  text: string;
  /** Top log-probabilities of the first answer token; null when the endpoint returned none. */
  firstTokenTop: TokenLogprob[] | null;
}

export function completionsUrl(base: string): string {
  return `${base.replace(/\/+$/, '').replace(/\/v1$/, '')}/v1/chat/completions`;
}

const excerpt = (s: string, n = 200) => {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n)}…` : one;
};

export async function askAboutAudio(endpoint: LalmEndpoint, wavBase64: string, question: string, opts: AskOptions): Promise<LalmAnswer> {
  const content = [
    { type: 'input_audio', input_audio: { data: wavBase64, format: 'wav' } },
    { type: 'text', text: question },
  ];
  return ask(endpoint, content, question, opts);
}

/** A question without audio (the language-model event decomposer); it fails with the same errors. */
export function askText(endpoint: LalmEndpoint, question: string, opts: AskOptions): Promise<LalmAnswer> {
  return ask(endpoint, question, question, opts);
}

async function ask(endpoint: LalmEndpoint, userContent: unknown, question: string, opts: AskOptions): Promise<LalmAnswer> {
  const url = completionsUrl(endpoint.url);
  const body: Record<string, unknown> = {
    messages: [{ role: 'user', content: userContent }],
    temperature: 0,
    max_tokens: opts.maxTokens,
    stream: false,
  };
  if (endpoint.model) body.model = endpoint.model;
  if (opts.topLogprobs) {
    body.logprobs = true;
    body.top_logprobs = opts.topLogprobs;
  }

  const timeout = AbortSignal.timeout(Math.round(endpoint.timeoutSeconds * 1000));
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  const failed = (err: unknown): never => {
    if (opts.signal?.aborted) throw new CuebankError('cancelled', 'Cancelled');
    if (timeout.aborted) {
      throw new CuebankError('model_error', `The audio-language model at ${endpoint.url} did not answer within ${endpoint.timeoutSeconds} s.`, { cause: err });
    }
    const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
    const why = cause?.code ?? cause?.message ?? (err as Error)?.message ?? String(err);
    throw new CuebankError('model_error', `Cannot reach the audio-language model at ${endpoint.url}: ${why}.`, { cause: err });
  };

  let res: Response;
  let text: string;
  try {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal });
    text = await res.text();
  } catch (err) {
    return failed(err);
  }
  if (!res.ok) {
    let detail = excerpt(text);
    try {
      const j = JSON.parse(text) as { error?: { message?: string } | string };
      detail = typeof j.error === 'string' ? j.error : (j.error?.message ?? detail);
    } catch {
      /* not JSON: keep the text */
    }
    throw new CuebankError('model_error', `The audio-language model at ${endpoint.url} answered HTTP ${res.status}${detail ? `: ${detail}` : ''}.`);
  }
  let json: {
    choices?: {
      message?: { content?: unknown; refusal?: unknown };
      logprobs?: { content?: { token?: unknown; logprob?: unknown; top_logprobs?: { token?: unknown; logprob?: unknown }[] }[] } | null;
    }[];
  };
  try {
    json = JSON.parse(text);
  } catch {
    throw new CuebankError('model_error', `The audio-language model at ${endpoint.url} sent a reply that is not JSON: "${excerpt(text, 80)}".`);
  }
  const choice = json.choices?.[0];
  if (!choice?.message) throw new CuebankError('model_error', `The audio-language model at ${endpoint.url} sent a reply without an answer (no choices[0].message).`);
  const { content, refusal } = choice.message;
  if (typeof refusal === 'string' && refusal.trim()) {
    throw new CuebankError('model_error', `The audio-language model refused to answer "${question}": ${excerpt(refusal)}`);
  }
  const answer = typeof content === 'string' ? content : Array.isArray(content) ? content.map((p) => (p as { text?: string }).text ?? '').join('') : '';

  let firstTokenTop: TokenLogprob[] | null = null;
  const first = choice.logprobs?.content?.[0];
  if (first) {
    const top = Array.isArray(first.top_logprobs) && first.top_logprobs.length ? first.top_logprobs : [first];
    firstTokenTop = top
      .filter((t) => typeof t.token === 'string' && typeof t.logprob === 'number')
      .map((t) => ({ token: t.token as string, logprob: t.logprob as number }));
  }
  return { text: answer, firstTokenTop };
}
