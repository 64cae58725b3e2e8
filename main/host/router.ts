import { channels, hostChannelNames, type ErrorValue, type HostChannelName, type Result } from '../../preload/contract';
import { invalidRequestMessage } from '../../preload/contract/validation';
import type { EngineSupervisor } from './supervisor';

/** What a host answers itself; each returns a value or throws a { code, message } error value. */
export type HostHandlers = { [N in HostChannelName]: (input: unknown) => Promise<unknown> };

const isHostChannel = (name: string): name is HostChannelName => (hostChannelNames as string[]).includes(name);

/**
 * The one entry for requests from the renderer (untrusted): the channel must exist and the
 * payload must match its schema before anything reaches a host handler or the engine. Every
 * outcome is a result value; nothing is thrown across the boundary.
 */
export async function routeInvoke(name: unknown, input: unknown, host: HostHandlers, engine: EngineSupervisor): Promise<Result<unknown>> {
  if (typeof name !== 'string' || !Object.hasOwn(channels, name)) {
    const shown = typeof name === 'string' ? name.slice(0, 80) : `a ${typeof name} for a name`;
    return { ok: false, error: { code: 'invalid_input', message: `Unknown channel: ${shown}` } };
  }
  const schema = channels[name as keyof typeof channels].input;
  let parsed: ReturnType<typeof schema.safeParse>;
  try {
    parsed = schema.safeParse(input === undefined ? {} : input);
  } catch (err) {
    // Validation itself gave up (e.g. a structure too deep for it): still a refused request, as a value.
    return { ok: false, error: { code: 'invalid_input', message: `Invalid ${name} request: it could not be read (${err instanceof Error ? err.name : 'error'})` } };
  }
  if (!parsed.success) return { ok: false, error: { code: 'invalid_input', message: invalidRequestMessage(name, parsed.error) } };
  if (isHostChannel(name)) {
    try {
      return { ok: true, value: await host[name](parsed.data) };
    } catch (err) {
      return { ok: false, error: asErrorValue(err) };
    }
  }
  try {
    return await engine.invoke(name, parsed.data);
  } catch (err) {
    return { ok: false, error: asErrorValue(err) };
  }
}

function asErrorValue(err: unknown): ErrorValue {
  if (err && typeof err === 'object' && 'code' in err && 'message' in err) {
    return { code: String((err as ErrorValue).code), message: String((err as ErrorValue).message) };
  }
  return { code: 'internal', message: err instanceof Error ? err.message : String(err) };
}

/** A host handler's way to say "this host cannot do that" (the renderer then offers its fallback). */
export function unsupported(what: string): never {
  throw { code: 'unsupported', message: `${what} is not available here` } satisfies ErrorValue;
}
