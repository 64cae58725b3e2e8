import type { z } from 'zod';

/** Longest message a refused request gets back: a payload must not be able to make the answer huge. */
const MAX_MESSAGE = 300;

/**
 * The message of a request its channel's schema refused: the first problem and where it is, cut to
 * a few hundred characters. Zod's own text can echo the request (e.g. every unrecognised key of an
 * object with ten thousand of them), and the request is untrusted.
 */
export function invalidRequestMessage(name: string, error: z.ZodError): string {
  const issue = error.issues[0];
  const where = issue?.path.length ? `${issue.path.map((p) => String(p).slice(0, 40)).join('.')}: ` : '';
  const text = `Invalid ${name.slice(0, 80)} request: ${where}${issue?.message ?? 'malformed'}`;
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text;
}
