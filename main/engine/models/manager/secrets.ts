/**
 * Where the hub access token lives. The engine runs in a plain Node process, where Electron's
 * safeStorage does not exist: the app's main process keeps a random key with safeStorage
 * (main/app/secret-key.ts) and hands it to the engine at start, which keeps the token in a file
 * encrypted with that key (AES-256-GCM). Without a key (the web bridge, the CLI with HF_TOKEN,
 * tests) the token lives in memory for the process only. The token is never logged and never
 * crosses IPC back to the renderer.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface SecretStore {
  get(): Promise<string | null>;
  set(token: string | null): Promise<void>;
}

/** Kept for the life of the process only. */
export class MemorySecretStore implements SecretStore {
  constructor(private token: string | null = null) {}
  async get(): Promise<string | null> {
    return this.token;
  }
  async set(token: string | null): Promise<void> {
    this.token = token || null;
  }
}

/** The token in `file`, encrypted with a 32-byte key the host keeps (safeStorage in the app). */
export class EncryptedFileSecretStore implements SecretStore {
  constructor(
    private readonly file: string,
    private readonly key: Buffer,
  ) {
    if (key.length !== 32) throw new Error('The secret key must be 32 bytes');
  }

  async get(): Promise<string | null> {
    let raw: Buffer;
    try {
      raw = fs.readFileSync(this.file);
    } catch {
      return null;
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8') || null;
    } catch {
      // Another key (another user account or machine): the token is unreadable, as intended.
      return null;
    }
  }

  async set(token: string | null): Promise<void> {
    if (!token) return void fs.rmSync(this.file, { force: true });
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    fs.writeFileSync(tmp, Buffer.concat([iv, cipher.getAuthTag(), body]), { mode: 0o600 });
    fs.renameSync(tmp, this.file);
  }
}

/** The environment variable through which a host hands the engine process its key (hex). */
export const SECRET_KEY_ENV = 'CUEBANK_SECRET_KEY';

/** The store an engine process uses: encrypted beside the workspace when its host gave a key. */
export function secretStoreFromEnv(dbPath: string, env: NodeJS.ProcessEnv = process.env): SecretStore {
  const hex = env[SECRET_KEY_ENV];
  // Read once, then removed, so processes the engine starts (ffmpeg) never inherit it.
  delete env[SECRET_KEY_ENV];
  if (!hex || !/^[0-9a-f]{64}$/i.test(hex) || dbPath === ':memory:') return new MemorySecretStore();
  return new EncryptedFileSecretStore(path.join(path.dirname(path.resolve(dbPath)), 'hub-token.enc'), Buffer.from(hex, 'hex'));
}
