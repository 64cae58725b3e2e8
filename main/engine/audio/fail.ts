import { CuebankError } from '../errors';

/** The file is a known format but its bytes are broken: the user should re-export or re-copy it. */
export function corrupt(message: string): CuebankError {
  return new CuebankError('corrupt_file', message);
}

/** The file is not audio, or audio in a format Cuebank cannot decode. */
export function unsupported(message: string): CuebankError {
  return new CuebankError('unsupported_format', message);
}
