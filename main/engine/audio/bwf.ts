import type { BextInfo, CuePoint, SamplerInfo } from './types';
import { decodeText, fourcc } from './text';

/** EBU Tech 3285 'bext'. Fields past the end of a short chunk read as empty/zero. */
export function parseBext(b: Uint8Array): BextInfo {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const str = (o: number, n: number) => (o < b.length ? decodeText(b.subarray(o, Math.min(o + n, b.length))) : '');
  const u32 = (o: number) => (o + 4 <= b.length ? dv.getUint32(o, true) : 0);
  const version = b.length >= 348 ? dv.getUint16(346, true) : 0;
  // Tech 3285 v2: each loudness field is round(value × 100); 0x7FFF means it was not measured.
  const loud = (o: number) => {
    if (version < 2 || o + 2 > b.length) return null;
    const raw = dv.getInt16(o, true);
    return raw === 0x7fff ? null : raw / 100;
  };
  return {
    description: str(0, 256),
    originator: str(256, 32),
    originatorReference: str(288, 32),
    originationDate: str(320, 10),
    originationTime: str(330, 8),
    timeReference: u32(338) + u32(342) * 2 ** 32,
    version,
    umid: umidHex(b.subarray(348, Math.min(412, b.length))),
    loudnessValue: loud(412),
    loudnessRange: loud(414),
    maxTruePeakLevel: loud(416),
    maxMomentaryLoudness: loud(418),
    maxShortTermLoudness: loud(420),
    codingHistory: str(602, Math.max(0, b.length - 602)),
  };
}

/** A basic UMID is 32 bytes; the extended form adds 32 more, shown only when they are not zero. */
function umidHex(b: Uint8Array): string {
  if (b.every((x) => x === 0)) return '';
  const used = b.length > 32 && b.subarray(32).every((x) => x === 0) ? b.subarray(0, 32) : b;
  return Buffer.from(used).toString('hex').toUpperCase();
}

/** Sub-chunks of a LIST body after its 4-byte type, pad bytes included. */
function* subChunks(b: Uint8Array): Generator<{ id: string; body: Uint8Array }> {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let o = 4;
  while (o + 8 <= b.length) {
    const size = dv.getUint32(o + 4, true);
    const body = b.subarray(o + 8, Math.min(o + 8 + size, b.length));
    yield { id: fourcc(b, o), body };
    o += 8 + size + (size & 1);
  }
}

/** RIFF LIST/INFO: keys are the upper-case chunk ids (INAM, IART, ICMT, ISFT, ...). */
export function parseInfoList(b: Uint8Array, into: Record<string, string>): void {
  for (const { id, body } of subChunks(b)) {
    const value = decodeText(body).trim();
    if (value) into[id.trim().toUpperCase()] = value;
  }
}

/** LIST/adtl: cue labels ('labl'), falling back to notes ('note') and text ('ltxt'). */
export function parseAdtl(b: Uint8Array): Map<number, string> {
  const labels = new Map<number, string>();
  const rank = new Map<number, number>();
  const order: Record<string, number> = { labl: 3, note: 2, ltxt: 1 };
  for (const { id, body } of subChunks(b)) {
    const r = order[id];
    if (!r || body.length < 4) continue;
    const cueId = new DataView(body.buffer, body.byteOffset, body.byteLength).getUint32(0, true);
    const text = decodeText(body.subarray(id === 'ltxt' ? 20 : 4)).trim();
    if (text && r > (rank.get(cueId) ?? 0)) {
      labels.set(cueId, text);
      rank.set(cueId, r);
    }
  }
  return labels;
}

/** 'cue ' points: the frame position is the sample offset into the (single) data chunk. */
export function parseCue(b: Uint8Array, labels: Map<number, string>): CuePoint[] {
  if (b.length < 4) return [];
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const count = dv.getUint32(0, true);
  const cues: CuePoint[] = [];
  for (let i = 0, o = 4; i < count && o + 24 <= b.length; i++, o += 24) {
    const id = dv.getUint32(o, true);
    cues.push({ id, position: dv.getUint32(o + 20, true), label: labels.get(id) ?? '' });
  }
  return cues.sort((a, c) => a.position - c.position || a.id - c.id);
}

/** 'smpl': MIDI unity note and sustain loops (start/end are sample frames, end inclusive). */
export function parseSmpl(b: Uint8Array): SamplerInfo | null {
  if (b.length < 36) return null;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const count = dv.getUint32(28, true);
  const loops = [];
  for (let i = 0, o = 36; i < count && o + 24 <= b.length; i++, o += 24) {
    loops.push({
      start: dv.getUint32(o + 8, true),
      end: dv.getUint32(o + 12, true),
      type: dv.getUint32(o + 4, true),
      playCount: dv.getUint32(o + 20, true),
    });
  }
  return { midiUnityNote: dv.getUint32(12, true), loops };
}
