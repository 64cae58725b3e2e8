/**
 * Errors the engine reports to its hosts. Every host (Electron IPC, web bridge, CLI) turns these into
 * values `{ ok: false, error: { code, message } }` or one clear line; the message is meant for users.
 */
export type ErrorCode =
  | 'invalid_input'
  | 'not_found'
  | 'unsupported_format'
  | 'corrupt_file'
  | 'no_model'
  | 'model_error'
  | 'database_error'
  | 'cancelled'
  | 'forbidden'
  | 'unsupported'
  | 'internal';

export class CuebankError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CuebankError';
  }
}

export interface ErrorValue {
  code: ErrorCode;
  message: string;
}

/** Converts anything thrown into the error value that crosses process boundaries. */
export function toErrorValue(err: unknown): ErrorValue {
  if (err instanceof CuebankError) return { code: err.code, message: err.message };
  if (err instanceof Error && err.name === 'AbortError') return { code: 'cancelled', message: 'Cancelled' };
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'internal', message };
}
