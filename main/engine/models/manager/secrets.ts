/**
 * Where the hub access token lives. The engine never stores it itself: the Electron app gives it a
 * store backed by safeStorage (main/app/token-store.ts), the bridge, the CLI and tests the
 * in-memory one. The token is never logged and never crosses IPC back to the renderer.
 */
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
