/** Cuebank's audio input layer: read metadata, decode, and stream mono at a model's sample rate. */
export * from './types';
export { readMeta, decodeFile, decodeRange } from './read';
export { openMonoStream, type MonoStreamOptions } from './stream';
export { toMono } from './mixdown';
export { createResampler, resample, type Resampler, type ResampleOptions } from './resample';
export { freeDecoders } from './decoders';
export { encodeWav, wavHeader, writeWavFile, type WavSampleFormat } from './wav-write';
export { LoudnessMeter, measureLoudness, measureFileLoudness, type LoudnessReport } from './loudness';
