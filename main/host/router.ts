import { channels, hostChannelNames, type ErrorValue, type HostChannelName, type Result } from '../../preload/contract';
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
    return { ok: false, error: { code: 'invalid_input', message: `Unknown channel: ${String(name).slice(0, 80)}` } };
  }
  const schema = channels[name as keyof typeof channels].input;
  const parsed = schema.safeParse(input === undefined ? {} : input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    return { ok: false, error: { code: 'invalid_input', message: `Invalid ${name} request: ${where}${issue?.message ?? 'malformed'}` } };
  }
  if (isHostChannel(name)) {
    try {
      return { ok: true, value: await host[name](parsed.data) };
    } catch (err) {
      return { ok: false, error: asErrorValue(err) };
    }
  }
  return engine.invoke(name, parsed.data);
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
