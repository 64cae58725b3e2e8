import { CuebankError } from '../errors';

/** How long a reachability check of the LALM endpoint may take. */
const PROBE_TIMEOUT_MS = 3000;

/**
 * Checks, before a loop starts, that something answers HTTP at the LALM critic's URL, so an
 * unreachable endpoint is one clear error at once rather than a failure after the first take.
 * Any HTTP answer counts (servers differ in what they serve at the base URL); only a refused or
 * timed-out connection, or a URL that is not http(s), is an error.
 */
export async function probeCriticUrl(url: string): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CuebankError('invalid_input', `The LALM critic URL is not a URL: ${url}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new CuebankError('invalid_input', `The LALM critic URL must be http or https: ${url}`);
  }
  try {
    const res = await fetch(parsed, { method: 'GET', signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    await res.body?.cancel();
  } catch (err) {
    // fetch wraps the socket error: cause.code, or (several addresses tried) cause.errors[i].code.
    const c = (err as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } }).cause;
    const timedOut = (err as Error).name === 'TimeoutError';
    const cause = timedOut ? 'TimeoutError' : (c?.code ?? c?.errors?.find((e) => e.code)?.code ?? (c?.message || (err as Error).message));
    const why = cause === 'TimeoutError' ? `no answer within ${PROBE_TIMEOUT_MS / 1000} s` : cause;
    throw new CuebankError('model_error', `The LALM critic at ${url} is unreachable (${why})`);
  }
}
