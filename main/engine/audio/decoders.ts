import { FLACDecoder } from '@wasm-audio-decoders/flac';
import { OggVorbisDecoder } from '@wasm-audio-decoders/ogg-vorbis';
import { MPEGDecoder } from 'mpg123-decoder';
import { OggOpusDecoder } from 'ogg-opus-decoder';

export type CodecKind = 'flac' | 'mp3' | 'vorbis' | 'opus';

/** What every wasm decoder returns per call. */
export interface DecodedChunk {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  errors: { message: string }[];
}

/** One interface over the four decoders: feed file bytes in order, then flush once at the end. */
export interface StreamDecoder {
  decode(bytes: Uint8Array): Promise<DecodedChunk>;
  /** Ends the stream and leaves the decoder clean for another file. */
  flush(): Promise<DecodedChunk>;
  free(): void;
}

const NOTHING: DecodedChunk = { channelData: [], samplesDecoded: 0, sampleRate: 0, errors: [] };

async function create(kind: CodecKind): Promise<StreamDecoder> {
  switch (kind) {
    case 'flac': {
      const d = new FLACDecoder();
      await d.ready;
      return { decode: (b) => d.decode(b), flush: () => d.flush(), free: () => d.free() };
    }
    case 'vorbis': {
      const d = new OggVorbisDecoder();
      await d.ready;
      return { decode: (b) => d.decode(b), flush: () => d.flush(), free: () => d.free() };
    }
    case 'opus': {
      const d = new OggOpusDecoder();
      await d.ready;
      return { decode: async (b) => d.decode(b), flush: () => d.flush(), free: () => d.free() };
    }
    case 'mp3': {
      // mpg123 has no flush: frames are complete once fed; its reset re-instantiates the module.
      const d = new MPEGDecoder();
      await d.ready;
      return {
        decode: async (b) => d.decode(b),
        flush: async () => {
          await d.reset();
          return NOTHING;
        },
        free: () => d.free(),
      };
    }
  }
}

/**
 * One idle decoder per codec is kept for the next file: each decoder's flush() resets its state
 * (a fresh wasm instance of the already compiled module), so nothing carries over between files.
 * A decoder that failed, or was abandoned mid-file, is freed instead of reused.
 */
const idle = new Map<CodecKind, StreamDecoder>();

export async function acquireDecoder(kind: CodecKind): Promise<StreamDecoder> {
  const d = idle.get(kind);
  if (d) {
    idle.delete(kind);
    return d;
  }
  return create(kind);
}

/** Returns a decoder after a clean flush(); pass clean = false after an error to free it. */
export function releaseDecoder(kind: CodecKind, d: StreamDecoder, clean: boolean): void {
  if (clean && !idle.has(kind)) idle.set(kind, d);
  else freeQuietly(d);
}

/** Frees a decoder; one that damaged data left broken may throw from its wasm, and is dropped all the same. */
function freeQuietly(d: StreamDecoder): void {
  try {
    d.free();
  } catch {
    // Its memory goes with the wasm instance when nothing references it any more.
  }
}

/** Frees the idle decoders' wasm memory (e.g. when the engine shuts down or goes idle). */
export function freeDecoders(): void {
  for (const d of idle.values()) freeQuietly(d);
  idle.clear();
}

/** Decoders idle in the pool, per codec (for tests). */
export function idleDecoders(): CodecKind[] {
  return [...idle.keys()];
}
