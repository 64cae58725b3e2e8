/**
 * The wasm decoders report problems in their own words ("_headerin vorbis_synthesisOV_EBADHEADER
 * there was an error interpreting the packet.", "-1 MPG123_ERR", "libopus -4 OPUS_INVALID_PACKET")
 * and their JavaScript glue throws on data it did not expect ("logError is not defined",
 * "memory access out of bounds"). None of that tells a sound designer anything, so each is
 * translated here into what it means for the file.
 */
const MEANINGS: [RegExp, string][] = [
  [/OV_ENOTVORBIS|OV_EBADHEADER|OV_EVERSION|_headerin/, 'its Vorbis header packets are damaged'],
  [/OV_ENOTAUDIO|OV_EBADPACKET|OV_EFAULT|OV_EIMPL|vorbis_synthesis/, 'some of its Vorbis audio packets are damaged'],
  [/OPUS_|libopus/i, 'some of its Opus packets are damaged'],
  [/LOST_SYNC/, 'the decoder lost its place in the FLAC frames (damaged bytes between frames)'],
  [/FRAME_CRC_MISMATCH/, 'a FLAC frame failed its checksum (its bytes are damaged)'],
  [/BAD_HEADER|UNPARSEABLE|FLAC__/, 'a FLAC frame header is damaged'],
  [/MPG123|mpg123/, 'some of its MPEG audio frames are damaged'],
];

/** What a decoder's message means for the file, as a clause ("its Vorbis header packets are damaged"). */
export function decoderProblem(message: string): string {
  for (const [re, meaning] of MEANINGS) if (re.test(message)) return meaning;
  return 'its audio data is damaged';
}
