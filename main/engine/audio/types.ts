/** Decoded PCM: planar float channels in [-1, 1]. */
export interface DecodedAudio {
  sampleRate: number;
  channels: Float32Array[];
}

/** What a file's container and codec say about it; names follow ffprobe's where they exist. */
export interface FormatInfo {
  /** Detected from the bytes: 'wav' | 'rf64' | 'bw64' | 'aiff' | 'aifc' | 'flac' | 'mp3' | 'ogg' */
  container: string;
  /** ffprobe codec_name: pcm_u8, pcm_s16le, pcm_s24le, pcm_f32le, pcm_s16be, flac, mp3 (mp2/mp1), vorbis, opus, ... */
  codec: string;
  /** The rate the audio decodes at (Opus always decodes at 48000, whatever its input rate was). */
  sampleRate: number;
  channels: number;
  /** Bits per stored sample for PCM and FLAC; null for lossy codecs. */
  bitsPerSample: number | null;
  /** Sample frames per channel: exact from headers for WAV/AIFF/FLAC, counted by decoding for MP3/Ogg. */
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
  /** SMPTE 330M UMID as upper-case hex (32 bytes, or 64 when the extended half is not zero); '' when all zero. */
  umid: string;
  /** Loudness fields of bext v2 (LUFS, LU, dBTP), null where the version has none or the field is 0x7FFF (not measured). */
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
  /**
   * iXML as a nested object: the root element's (BWFXML) content, element names as keys, trimmed text
   * as values, repeated elements as arrays, attributes ignored. E.g. { PROJECT, SCENE, TAKE, TRACK_LIST: { TRACK: [...] } }.
   */
  ixml: Record<string, unknown> | null;
  /**
   * RIFF LIST/INFO (INAM, IART, ICMT, ...), AIFF NAME/AUTH/ANNO/(C), Vorbis comments and ID3 text frames
   * (TITLE, ARTIST, COMMENT, ...): upper-case keys; repeated keys joined with '; ' ('\n' for AIFF ANNO).
   */
  info: Record<string, string>;
  cues: CuePoint[];
  sampler: SamplerInfo | null;
  /** Problems that did not stop decoding, e.g. a data chunk shorter than its header says, or a misnamed file. */
  warnings: string[];
}
