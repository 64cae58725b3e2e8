/** The hub token at rest: encrypted with the host's key, unreadable with another, never in plain text. */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { EncryptedFileSecretStore, MemorySecretStore, SECRET_KEY_ENV, secretStoreFromEnv } from '../../../main/engine/models/manager/secrets';
import { tempDir } from '../../helpers/tmp';

const tmp = tempDir('cuebank-secrets-');
afterEach(() => fs.rmSync(path.join(tmp.dir, 'hub-token.enc'), { force: true }));
afterAll(() => tmp.cleanup());

describe('secret stores', () => {
  const token = 'hf_abcdefghijklmnopqrstuvwxyz0123';

  it('encrypts the token at rest and reads it back only with the same key', async () => {
    const file = path.join(tmp.dir, 'hub-token.enc');
    const key = randomBytes(32);
    const store = new EncryptedFileSecretStore(file, key);
    expect(await store.get()).toBeNull();
    await store.set(token);
    expect(fs.readFileSync(file).includes(Buffer.from(token))).toBe(false);
    expect(await store.get()).toBe(token);
    expect(await new EncryptedFileSecretStore(file, randomBytes(32)).get()).toBeNull();
    await store.set(null);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('takes the key from the host once and hides it from child processes', async () => {
    const env: NodeJS.ProcessEnv = { [SECRET_KEY_ENV]: randomBytes(32).toString('hex') };
    const store = secretStoreFromEnv(path.join(tmp.dir, 'work.db'), env);
    expect(store).toBeInstanceOf(EncryptedFileSecretStore);
    expect(env[SECRET_KEY_ENV]).toBeUndefined();
    await store.set(token);
    expect(fs.existsSync(path.join(tmp.dir, 'hub-token.enc'))).toBe(true);
    // No key (the bridge, tests): memory only, nothing written.
    expect(secretStoreFromEnv(path.join(tmp.dir, 'work.db'), {})).toBeInstanceOf(MemorySecretStore);
  });
});
