import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channels, hostChannelNames } from '../../../preload/contract';
import { createEngine, type Engine } from '../../../main/engine';
import { CuebankError } from '../../../main/engine/errors';
import { HOSTILE_JSON, PROTO_KEYS } from '../../helpers/hostile-payloads';
import { tempDir } from '../../helpers/tmp';

/**
 * engine.call, the entry every host (engine process, CLI) hands requests to, with the hostile set on
 * every engine channel and prototype names for channels: each call settles with a value or a
 * CuebankError (the error value hosts send on), never a TypeError from inside, and the engine
 * answers a normal request afterwards.
 */
describe('engine.call under hostile requests', () => {
  let tmp: { dir: string; cleanup: () => void };
  let engine: Engine;

  beforeAll(async () => {
    tmp = tempDir();
    engine = await createEngine({ dbPath: path.join(tmp.dir, 'w.db'), modelsDir: path.join(tmp.dir, 'models') });
  });
  afterAll(async () => {
    await engine?.close();
    tmp?.cleanup();
  });

  const settle = async (name: string, input: unknown) => {
    try {
      await engine.call(name as never, input as never);
      return null;
    } catch (err) {
      return err;
    }
  };

  it('takes no prototype name for a channel', async () => {
    for (const name of [...PROTO_KEYS, '__defineGetter__', 'isPrototypeOf']) {
      const err = await settle(name, {});
      expect(err, name).toBeInstanceOf(CuebankError);
      expect((err as CuebankError).code).toBe('invalid_input');
    }
  });

  it('answers every hostile payload on every engine channel with a value or a CuebankError', async () => {
    const names = Object.keys(channels).filter((n) => !(hostChannelNames as string[]).includes(n));
    for (const name of names) {
      for (const text of HOSTILE_JSON) {
        const input = JSON.parse(text);
        const err = await settle(name, input);
        if (err !== null) expect(err, `${name}: ${String(err)}`).toBeInstanceOf(CuebankError);
        if (!channels[name as keyof typeof channels].input.safeParse(input).success) expect((err as CuebankError).code, name).toBe('invalid_input');
      }
    }
    expect(await engine.call('library.stats', {})).toMatchObject({ files: 0 });
    expect(await engine.call('projects.create', { name: 'Still here' })).toMatchObject({ name: 'Still here' });
  });
});
