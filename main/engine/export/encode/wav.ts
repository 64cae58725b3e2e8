import { CuebankError } from '../../errors';
import type { DecodedAudio } from '../../audio/types';
import { quantise } from './dither';

export type WavSample = 'pcm16' | 'pcm24' | 'float32';

/** A RIFF chunk to place between fmt and data (bext, LIST/INFO, iXML, ...). */
export interface WavChunk {
  id: string;
  body: Uint8Array;
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
/** KSDATAFORMAT_SUBTYPE_* GUIDs are the 32-bit format code followed by these 12 bytes. */
const SUBTYPE_REST = Buffer.from('000010008000' + '00aa00389b71', 'hex');
const RIFF_MAX = 0xffffffff;

/**
 * dwChannelMask for common layouts in WAVE order (FL FR FC LFE BL BR ...): mono is front centre,
 * 5.1 is FL FR FC LFE BL BR, 7.1 adds SL SR. Other counts are left unassigned (0), which the spec
 * allows and players map in order.
 */
export function channelMask(channels: number): number {
  const masks: Record<number, number> = { 1: 0x4, 2: 0x3, 3: 0x7, 4: 0x33, 5: 0x37, 6: 0x3f, 7: 0x13f, 8: 0x63f };
  return masks[channels] ?? 0;
}

/**
 * fmt chunk: plain WAVEFORMAT for 1–2 channel 16-bit PCM, WAVE_FORMAT_EXTENSIBLE (with valid bits,
 * channel mask and sub-format GUID) whenever there are more than 2 channels or more than 16 bits,
 * as Microsoft's WAVEFORMATEXTENSIBLE rules ask.
 */
function fmtChunk(sample: WavSample, channels: number, sampleRate: number): Buffer {
  const bits = sample === 'pcm16' ? 16 : sample === 'pcm24' ? 24 : 32;
  const code = sample === 'float32' ? WAVE_FORMAT_IEEE_FLOAT : WAVE_FORMAT_PCM;
  const extensible = channels > 2 || bits > 16;
  const blockAlign = channels * (bits / 8);
  const b = Buffer.alloc(extensible ? 40 : 16);
  b.writeUInt16LE(extensible ? WAVE_FORMAT_EXTENSIBLE : code, 0);
  b.writeUInt16LE(channels, 2);
  b.writeUInt32LE(sampleRate, 4);
  b.writeUInt32LE(sampleRate * blockAlign, 8);
  b.writeUInt16LE(blockAlign, 12);
  b.writeUInt16LE(bits, 14);
  if (extensible) {
    b.writeUInt16LE(22, 16);
    b.writeUInt16LE(bits, 18);
    b.writeUInt32LE(channelMask(channels), 20);
    b.writeUInt32LE(code, 24);
    SUBTYPE_REST.copy(b, 28);
  }
  return b;
}

function chunk(id: string, body: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.write(id, 0, 4, 'latin1');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body, Buffer.alloc(body.length & 1)]);
}

/** Interleaved little-endian samples: dithered integers for PCM, the floats as they are for float32. */
function dataBody(audio: DecodedAudio, sample: WavSample, seed: number | undefined): Buffer {
  const channels = audio.channels.length;
  const frames = audio.channels[0].length;
  const bytes = sample === 'pcm16' ? 2 : sample === 'pcm24' ? 3 : 4;
  const out = Buffer.alloc(frames * channels * bytes);
  if (sample === 'float32') {
    for (let c = 0; c < channels; c++) {
      const src = audio.channels[c];
      for (let i = 0, o = c * 4; i < frames; i++, o += channels * 4) out.writeFloatLE(src[i], o);
    }
    return out;
  }
  const ints = quantise(audio.channels, bytes * 8, seed);
  for (let c = 0; c < channels; c++) {
    const src = ints[c];
    const stride = channels * bytes;
    if (bytes === 2) for (let i = 0, o = c * 2; i < frames; i++, o += stride) out.writeInt16LE(src[i], o);
    else for (let i = 0, o = c * 3; i < frames; i++, o += stride) out.writeIntLE(src[i], o, 3);
  }
  return out;
}

/**
 * A RIFF/WAVE file: fmt, fact (float only, where the spec requires it), the given metadata chunks,
 * then data. RIFF sizes are 32-bit; RF64 is not written, so anything past 4 GiB is refused.
 */
export function encodeWavFile(audio: DecodedAudio, sample: WavSample, chunks: WavChunk[], seed?: number): Uint8Array {
  const channels = audio.channels.length;
  const frames = audio.channels[0].length;
  const bytes = sample === 'pcm16' ? 2 : sample === 'pcm24' ? 3 : 4;
  const dataBytes = frames * channels * bytes;
  const metaBytes = chunks.reduce((n, c) => n + 8 + c.body.length + (c.body.length & 1), 0);
  const total = 12 + 8 + 40 + 12 + metaBytes + 8 + dataBytes + (dataBytes & 1);
  if (total - 8 > RIFF_MAX) {
    const gib = (total / 2 ** 30).toFixed(1);
    throw new CuebankError('unsupported', `This export would be ${gib} GiB, over the 4 GiB a WAV file can hold: export FLAC or a shorter selection`);
  }
  const parts: Buffer[] = [chunk('fmt ', fmtChunk(sample, channels, audio.sampleRate))];
  if (sample === 'float32') {
    const fact = Buffer.alloc(4);
    fact.writeUInt32LE(frames);
    parts.push(chunk('fact', fact));
  }
  for (const c of chunks) parts.push(chunk(c.id, c.body));
  parts.push(chunk('data', dataBody(audio, sample, seed)));
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(12);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(body.length + 4, 4);
  head.write('WAVE', 8, 'latin1');
  return new Uint8Array(Buffer.concat([head, body]));
}
