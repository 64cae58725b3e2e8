/**
 * What a real audio file can say about itself, and how much of a file's metadata the readers will
 * look at. Header values outside these ranges come from damage, not from any recorder, DAW or
 * encoder; the readers refuse them with a sentence (or repair them where ffmpeg does), so nothing
 * downstream sizes buffers or filters from them. The caps bound the work one file can cause:
 * every reader is linear in the bytes it reads, and reads at most these amounts of metadata.
 */
import { corrupt } from './fail';

/** 1 kHz (below any speech codec) to 1.536 MHz (above the fastest ultrasonic recorders, 1 MHz). */
export const MIN_SAMPLE_RATE = 1000;
export const MAX_SAMPLE_RATE = 1_536_000;
/** ffmpeg's FF_SANE_NB_CHANNELS: it refuses more, and no format Cuebank reads needs more. */
export const MAX_CHANNELS = 512;

/** A metadata chunk (iXML, bext, LIST, ID3, Vorbis comments) larger than this is read in part. */
export const MAX_METADATA_BYTES = 4 * 1024 * 1024;
/** Chunks listed per RIFF/AIFF file; a file with more is walked on for its audio but their metadata is not read. */
export const MAX_LISTED_CHUNKS = 10_000;
/** Entries read from one list (INFO fields, cue points, labels, loops, markers, comments, ID3 frames). */
export const MAX_LIST_ENTRIES = 10_000;
/** iXML elements nested deeper than this are read as text of their ancestor. */
export const MAX_XML_DEPTH = 64;

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/**
 * Refuses a sample rate no real file has, in words a sound designer understands; returns the
 * rate otherwise. `label` names the format ("WAV", "AIFF", "FLAC", "Ogg Vorbis").
 */
export function checkSampleRate(rate: number, label: string): number {
  if (!Number.isFinite(rate) || rate < MIN_SAMPLE_RATE || rate > MAX_SAMPLE_RATE) {
    const said = Number.isFinite(rate) ? plural(Math.round(rate * 1000) / 1000, 'sample') + ' per second' : 'a sample rate that is not a number';
    throw corrupt(`The ${label} header says ${said}; no recorder writes that, so the file cannot be played (the header is damaged)`);
  }
  return rate;
}

/** Refuses a channel count no real file has (0, negative, or over MAX_CHANNELS). */
export function checkChannels(channels: number, label: string): number {
  if (!Number.isInteger(channels) || channels < 1) {
    throw corrupt(`The ${label} header says the file has ${channels} channels; a sound has at least one, so the header is damaged`);
  }
  if (channels > MAX_CHANNELS) {
    throw corrupt(
      `The ${label} header says the file has ${plural(channels, 'channel')}; no recording has more than ${MAX_CHANNELS}, so the header is damaged`,
    );
  }
  return channels;
}
