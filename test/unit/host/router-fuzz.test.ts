import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { channels, type Result } from '../../../preload/contract';
import { routeInvoke, type HostHandlers } from '../../../main/host/router';
import type { EngineSupervisor } from '../../../main/host/supervisor';
import { anyPayload, HOSTILE_JSON, PROTO_KEYS, schemaKeys } from '../../helpers/hostile-payloads';

/**
 * The router every Electron invoke goes through (main/app/ipc.ts hands ipcMain's arguments to
 * routeInvoke; Electron itself cannot run here), fed thousands of random and hostile payloads per
 * contract channel. Each must come back as a result value, never a throw; a payload the schema
 * refuses must be an invalid_input error that never reaches a handler or the engine, with a message
 * of sensible length; and nothing may leak onto Object.prototype.
 */
const RUNS = Number(process.env.CUEBANK_FUZZ_RUNS ?? 1000);

/** Stands in for the engine process: records what reached it. */
function recordingEngine() {
  const reached: { name: string; input: unknown }[] = [];
  const engine = {
    invoke: async (name: string, input: unknown): Promise<Result<unknown>> => {
      reached.push({ name, input });
      return { ok: true, value: {} };
    },
  } as unknown as EngineSupervisor;
  return { engine, reached };
}

const host: HostHandlers = {
  'app.info': async () => ({ host: 'test' }),
  'app.chooseFolders': async () => ({ paths: [] }),
  'app.reveal': async () => ({}),
  'app.startDrag': async () => ({}),
};

function accepted(name: keyof typeof channels, payload: unknown): boolean {
  try {
    return channels[name].input.safeParse(payload === undefined ? {} : payload).success;
  } catch {
    return false;
  }
}

function expectResult(r: Result<unknown>): void {
  expect(r && typeof r === 'object' && typeof r.ok === 'boolean').toBe(true);
  if (!r.ok) {
    expect(typeof r.error.code).toBe('string');
    expect(typeof r.error.message).toBe('string');
    expect(r.error.message.length).toBeLessThan(1000);
  }
}

describe('the IPC router under random and hostile payloads', () => {
  for (const name of Object.keys(channels) as (keyof typeof channels)[]) {
    it(`${name}: ${RUNS} random payloads and every hostile one come back as values; refused ones reach nothing`, async () => {
      const { engine, reached } = recordingEngine();
      const check = async (payload: unknown) => {
        const valid = accepted(name, payload);
        const before = reached.length;
        const r = await routeInvoke(name, payload, host, engine);
        expectResult(r);
        if (!valid) {
          expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
          expect(reached.length).toBe(before);
        }
      };
      await fc.assert(fc.asyncProperty(anyPayload(schemaKeys(channels[name].input)), check), { numRuns: RUNS });
      for (const text of HOSTILE_JSON) await check(JSON.parse(text));
      await check(undefined);
      // What reached the engine is what the schema made of it: no prototype keys carried through.
      for (const { input } of reached) if (input && typeof input === 'object') for (const k of ['__proto__', 'constructor', 'prototype']) expect(Object.hasOwn(input, k)).toBe(false);
    });
  }

  it('refuses unknown channels and names that are not strings, including prototype names', async () => {
    const { engine, reached } = recordingEngine();
    const names = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom(...PROTO_KEYS, '__defineGetter__', 'isPrototypeOf'), fc.anything());
    await fc.assert(
      fc.asyncProperty(names, fc.jsonValue(), async (name, input) => {
        if (typeof name === 'string' && Object.hasOwn(channels, name)) return;
        const r = await routeInvoke(name, input, host, engine);
        expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
        expectResult(r);
      }),
      { numRuns: RUNS * 5 },
    );
    await expect(routeInvoke('x'.repeat(1 << 20), {}, host, engine)).resolves.toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(reached).toEqual([]);
  });

  it('leaves Object.prototype as it was', () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('path');
  });

  it('a host handler that throws anything still answers with a value', async () => {
    const { engine } = recordingEngine();
    const throwing: HostHandlers = {
      ...host,
      'app.info': async () => {
        throw new RangeError('Maximum call stack size exceeded');
      },
      'app.chooseFolders': async () => {
        throw null;
      },
    };
    expect(await routeInvoke('app.info', {}, throwing, engine)).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(await routeInvoke('app.chooseFolders', {}, throwing, engine)).toMatchObject({ ok: false, error: { code: 'internal' } });
  });
});
