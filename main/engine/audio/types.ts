/** Decoded PCM: planar float channels in [-1, 1]. */
export interface DecodedAudio {
  sampleRate: number;
  channels: Float32Array[];
}

/** What a file's container and codec say about it; names follow ffprobe's where they exist. */
export interface FormatInfo {
  /** 'wav' | 'rf64' | 'aiff' | 'aifc' | 'flac' | 'mp3' | 'ogg' */
  container: string;
  /** ffprobe codec_name: pcm_s16le, pcm_s24le, pcm_f32le, pcm_s16be, flac, mp3, vorbis, opus, ... */
  codec: string;
  sampleRate: number;
  channels: number;
  /** Bits per stored sample for PCM and FLAC; null for lossy codecs. */
  bitsPerSample: number | null;
  /** Sample frames per channel. */
  frames: number;
  /** Seconds. */
  duration: number;
}

/** Broadcast Wave Format 'bext' chunk (EBU Tech 3285). */
export interface BextInfo {
  description: string;
  originator: string;
  originatorReference: string;
  originationDate: string;
  originationTime: string;
  /** Sample count since midnight of the first sample; exact up to 2^53. */
  timeReference: number;
  version: number;
  /** SMPTE 330M UMID as upper-case hex, '' when absent or all zero. */
  umid: string;
  /** Loudness fields of bext v2, null where the version has none. */
  loudnessValue: number | null;
  loudnessRange: number | null;
  maxTruePeakLevel: number | null;
  maxMomentaryLoudness: number | null;
  maxShortTermLoudness: number | null;
  codingHistory: string;
}

export interface CuePoint {
  id: number;
  /** Sample frame of the cue. */
  position: number;
  label: string;
}

export interface SamplerLoop {
  start: number;
  end: number;
  type: number;
  playCount: number;
}

export interface SamplerInfo {
  midiUnityNote: number;
  loops: SamplerLoop[];
}

/** Everything Cuebank reads from a file without decoding its audio (where the container allows). */
export interface FileMeta {
  format: FormatInfo;
  bext: BextInfo | null;
  /** iXML as a nested object: element names as keys, text as values, repeated elements as arrays. */
  ixml: Record<string, unknown> | null;
  /** RIFF LIST/INFO, AIFF NAME/AUTH/ANNO, Vorbis comments, ID3 text frames: upper-case keys. */
  info: Record<string, string>;
  cues: CuePoint[];
  sampler: SamplerInfo | null;
  /** Problems that did not stop decoding, e.g. a data chunk shorter than its header says. */
  warnings: string[];
}
