import { BitWriter } from './bit-writer';
import { crc16, crc8 } from './crc';
import { planSubframe, type SubframePlan } from './flac-subframe';

/** Block sizes with a 4-bit code of their own in the frame header (others are written after it). */
const BLOCK_SIZE_CODES = new Map([
  [192, 1], [576, 2], [1152, 3], [2304, 4], [4608, 5],
  [256, 8], [512, 9], [1024, 10], [2048, 11], [4096, 12], [8192, 13], [16384, 14], [32768, 15],
]);
const SAMPLE_RATE_CODES = new Map([
  [88200, 1], [176400, 2], [192000, 3], [8000, 4], [16000, 5], [22050, 6], [24000, 7],
  [32000, 8], [44100, 9], [48000, 10], [96000, 11],
]);
const SAMPLE_SIZE_CODES = new Map([[8, 1], [12, 2], [16, 4], [20, 5], [24, 6], [32, 7]]);

/** Channel assignment codes: independent channels are (count - 1); the stereo decorrelations. */
const LEFT_SIDE = 0b1000;
const RIGHT_SIDE = 0b1001;
const MID_SIDE = 0b1010;

/**
 * Encodes one FLAC frame (fixed-blocksize stream, so the header carries the frame number).
 * `block` holds each channel's samples for this block; stereo blocks try left/side, right/side and
 * mid/side and keep whichever is smallest.
 */
export function encodeFrame(block: Int32Array[], frameNumber: number, bps: number, sampleRate: number): Uint8Array {
  const n = block[0].length;
  const { assignment, subframes } = block.length === 2 ? chooseStereo(block[0], block[1], bps) : independent(block, bps);
  const w = new BitWriter(64 + Math.ceil((n * block.length * (bps + 1)) / 8));
  writeHeader(w, n, assignment, bps, sampleRate, frameNumber);
  for (const s of subframes) s.write(w);
  w.alignToByte();
  const crc = crc16(w.bytes());
  w.write(crc, 16);
  return w.bytes().slice();
}

function independent(block: Int32Array[], bps: number): { assignment: number; subframes: SubframePlan[] } {
  return { assignment: block.length - 1, subframes: block.map((c) => planSubframe(c, bps)) };
}

function chooseStereo(l: Int32Array, r: Int32Array, bps: number): { assignment: number; subframes: SubframePlan[] } {
  const n = l.length;
  const side = new Int32Array(n);
  const mid = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    side[i] = l[i] - r[i];
    mid[i] = (l[i] + r[i]) >> 1; // the decoder restores the dropped bit from the side's parity
  }
  const L = planSubframe(l, bps);
  const R = planSubframe(r, bps);
  const S = planSubframe(side, bps + 1);
  const M = planSubframe(mid, bps);
  const options = [
    { assignment: 1, subframes: [L, R] },
    { assignment: LEFT_SIDE, subframes: [L, S] },
    { assignment: RIGHT_SIDE, subframes: [S, R] },
    { assignment: MID_SIDE, subframes: [M, S] },
  ];
  let best = options[0];
  let bestBits = L.bits + R.bits;
  for (const o of options.slice(1)) {
    const bits = o.subframes[0].bits + o.subframes[1].bits;
    if (bits < bestBits) {
      best = o;
      bestBits = bits;
    }
  }
  return best;
}

function writeHeader(w: BitWriter, n: number, assignment: number, bps: number, rate: number, frameNumber: number): void {
  const start = w.length;
  w.write(0xfff8, 16); // sync code, reserved 0, fixed-blocksize stream
  const bsCode = BLOCK_SIZE_CODES.get(n) ?? (n <= 256 ? 6 : 7);
  let rateCode = SAMPLE_RATE_CODES.get(rate) ?? 0;
  if (!rateCode) {
    if (rate % 1000 === 0 && rate / 1000 <= 255) rateCode = 12;
    else if (rate <= 65535) rateCode = 13;
    else if (rate % 10 === 0 && rate / 10 <= 65535) rateCode = 14;
  }
  w.write(bsCode, 4);
  w.write(rateCode, 4);
  w.write(assignment, 4);
  w.write(SAMPLE_SIZE_CODES.get(bps) ?? 0, 3);
  w.write(0, 1);
  writeUtf8Number(w, frameNumber);
  if (bsCode === 6) w.write(n - 1, 8);
  else if (bsCode === 7) w.write(n - 1, 16);
  if (rateCode === 12) w.write(rate / 1000, 8);
  else if (rateCode === 13) w.write(rate, 16);
  else if (rateCode === 14) w.write(rate / 10, 16);
  w.write(crc8(w.bytes(), start, w.length), 8);
}

/** FLAC codes frame numbers the way UTF-8 codes characters (up to 31 bits in 6 bytes). */
function writeUtf8Number(w: BitWriter, v: number): void {
  if (v < 0x80) {
    w.write(v, 8);
    return;
  }
  const limits = [0x800, 0x10000, 0x200000, 0x4000000, 0x80000000];
  let extra = 1;
  while (v >= limits[extra - 1]) extra++;
  const lead = (0xff00 >> (extra + 1)) & 0xff;
  w.write(lead | Math.floor(v / 2 ** (6 * extra)), 8);
  for (let i = extra - 1; i >= 0; i--) w.write(0x80 | (Math.floor(v / 2 ** (6 * i)) & 0x3f), 8);
}
