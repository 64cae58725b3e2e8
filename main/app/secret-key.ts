import { safeStorage } from 'electron';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The key the engine encrypts the hub access token with (main/engine/models/manager/secrets.ts),
 * itself kept with Electron's safeStorage (the OS keychain, DPAPI or libsecret) in userData.
 * Null when the OS offers no encryption: the engine then keeps the token for the session only.
 */
export function engineSecretKey(userData: string): string | null {
  if (!safeStorage.isEncryptionAvailable()) return null;
  const file = path.join(userData, 'engine-key.bin');
  try {
    return safeStorage.decryptString(fs.readFileSync(file));
  } catch {
    const key = randomBytes(32).toString('hex');
    fs.mkdirSync(userData, { recursive: true });
    fs.writeFileSync(file, safeStorage.encryptString(key), { mode: 0o600 });
    return key;
  }
}
