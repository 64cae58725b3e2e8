/**
 * Property-based tests (fast-check) for the readers: random mutations of valid files (bytes
 * overwritten, size fields set to random 32-bit values, cuts, inserted garbage) never make a
 * reader throw anything but Cuebank's own read error, in words; never make it read more than a
 * small multiple of the file (so no walk can loop or run away on a lying size); and never yield a
 * value a real file could not have or a measure that is not a finite number.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { measureLoudness } from '../../../main/engine/audio/loudness';
import { parseBext } from '../../../main/engine/audio/bwf';
import { CuebankError } from '../../../main/engine/errors';
import { parseId3v2 } from '../../../main/engine/audio/id3';
import { parseIxml, parseXml } from '../../../main/engine/audio/ixml';
import { MAX_XML_DEPTH } from '../../../main/engine/audio/limits';
import { openAudio, type Opened } from '../../../main/engine/audio/open';
import { pcmToPlanar } from '../../../main/engine/audio/pcm';
import type { HeaderSource } from '../../../main/engine/audio/source';
import { isSentence, loudnessProblems, metaProblems } from '../../fuzz/plausibility';
import { encodeOggVorbis } from '../../../main/engine/export/encode/vorbis';
import { mp3File } from '../../fuzz/sources';
import { aiffChunk, chunk, comm, fmt, form, intSignal, pcmBE, pcmLE, riff, ssnd, u32le } from './build';

/** A file in memory, read the way openAudio reads files, counting the bytes it is asked for. */
class MemorySource implements HeaderSource {
  readonly path: string;
  readonly size: number;
  readonly head: Buffer;
  bytesRead = 0;
  constructor(
    private readonly bytes: Buffer,
    name: string,
  ) {
    this.path = name;
    this.size = bytes.length;
    this.head = bytes.subarray(0, 64 * 1024);
  }
  async read(offset: number, length: number): Promise<Buffer> {
    const b = this.bytes.subarray(Math.max(0, offset), Math.min(this.size, offset + length));
    this.bytesRead += b.length;
    return b;
  }
}

/** One mutation of a file's bytes. */
type Mutation =
  | { kind: 'set'; at: number; value: number }
  | { kind: 'u32'; at: number; value: number; le: boolean }
  | { kind: 'cut'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array };

/** Positions weighted toward the headers, where a changed byte changes what the file says. */
const position = fc.oneof(fc.nat({ max: 48 }), fc.nat({ max: 800 }), fc.nat());

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: position, value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    kind: fc.constant('u32' as const),
    at: position,
    value: fc.oneof(fc.constantFrom(0, 1, 0x7fffffff, 0xffffffff, 0xfffffffe), fc.nat({ max: 0xffffffff })),
    le: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
);

function mutate(file: Buffer, ms: Mutation[]): Buffer {
  let b = Buffer.from(file);
  for (const m of ms) {
    if (!b.length) break;
    const at = m.at % b.length;
    if (m.kind === 'set') b[at] = m.value;
    else if (m.kind === 'u32' && at + 4 <= b.length) {
      if (m.le) b.writeUInt32LE(m.value >>> 0, at);
      else b.writeUInt32BE(m.value >>> 0, at);
    } else if (m.kind === 'cut') b = b.subarray(0, at);
    else if (m.kind === 'insert') b = Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)]);
  }
  return b;
}

/**
 * Reads a file's headers (and a PCM file's samples) from memory and checks the answer: either
 * plausible values and finite measures, or a CuebankError in words. Returns the bytes read.
 */
async function readChecked(bytes: Buffer, name: string, outcomes = { read: 0, refused: 0 }): Promise<number> {
  if (!bytes.length) return 0;
  const src = new MemorySource(bytes, name);
  let opened: Opened;
  try {
    opened = await openAudio(src);
  } catch (err) {
    expect(err, String(err)).toBeInstanceOf(CuebankError);
    expect(isSentence((err as Error).message), (err as Error).message).toBe(true);
    outcomes.refused++;
    return src.bytesRead;
  }
  outcomes.read++;
  expect(metaProblems(opened.meta, bytes.length)).toEqual([]);
  if (opened.kind === 'pcm') {
    const { layout, offset, frames } = opened.pcm;
    const data = await src.read(offset, frames * layout.blockAlign);
    expect(data.length).toBe(frames * layout.blockAlign);
    const channels = Array.from({ length: layout.channels }, () => new Float32Array(frames));
    pcmToPlanar(data, layout, frames, channels);
    if (opened.meta.format.sampleRate >= 3364) expect(loudnessProblems(measureLoudness({ sampleRate: opened.meta.format.sampleRate, channels }))).toEqual([]);
  }
  return src.bytesRead;
}

const signal = (frames: number, seed: number) => intSignal(frames, 16, seed);

function wavFile(): Buffer {
  const bext = Buffer.alloc(602);
  bext.write('Door slam', 0, 'latin1');
  bext.writeUInt16LE(2, 346);
  const ixml = Buffer.from('<BWFXML><PROJECT>P</PROJECT><TRACK_LIST><TRACK><NAME>Boom</NAME></TRACK></TRACK_LIST></BWFXML>');
  const info = Buffer.concat([Buffer.from('INFO'), chunk('INAM', Buffer.from('Take 3\0'))]);
  const cue = Buffer.concat([u32le(1), u32le(1), u32le(0), Buffer.from('data'), u32le(0), u32le(0), u32le(10)]);
  const adtl = Buffer.concat([Buffer.from('adtl'), chunk('labl', Buffer.concat([u32le(1), Buffer.from('hit\0')]))]);
  return riff([
    fmt({ channels: 2, rate: 48000, bits: 16 }),
    chunk('bext', bext),
    chunk('iXML', ixml),
    chunk('LIST', info),
    chunk('cue ', cue),
    chunk('LIST', adtl),
    chunk('data', pcmLE([signal(400, 1), signal(400, 2)], 16)),
  ]);
}

function rf64File(): Buffer {
  const data = pcmLE([signal(300, 3)], 16);
  const ds64 = Buffer.concat([Buffer.alloc(8), u32le(data.length), u32le(0), u32le(300), u32le(0), u32le(0)]);
  return riff([chunk('ds64', ds64), fmt({ channels: 1, rate: 44100, bits: 16 }), chunk('data', data, { size: 0xffffffff })], 'RF64');
}

function aiffFile(): Buffer {
  return form('AIFF', [comm(2, 300, 16, 44100), aiffChunk('NAME', Buffer.from('Rain')), ssnd(pcmBE([signal(300, 4), signal(300, 5)], 16))]);
}

/** A short written Ogg Vorbis file (the export encoder) with a comment. */
async function oggFile(): Promise<Buffer> {
  const audio = { sampleRate: 44100, channels: [Float32Array.from(signal(4410, 6), (v) => v / 65536)] };
  return Buffer.from(await encodeOggVorbis(audio, 0.3, [['TITLE', 'Wind']], 7));
}

async function mp3Small(): Promise<Buffer> {
  return mp3File({ sampleRate: 48000, channels: [0, 1].map((k) => Float32Array.from(signal(9600, 7 + k), (v) => v / 65536)) });
}

const RUNS = 300;
const mutations = fc.array(mutation, { minLength: 1, maxLength: 6 });

describe('random mutations of valid files', () => {
  for (const [label, make, name] of [
    ['RIFF/WAV chunk walk', wavFile, 'x.wav'],
    ['RF64 chunk walk', rf64File, 'x.wav'],
    ['AIFF chunk walk', aiffFile, 'x.aiff'],
    ['Ogg pages (Vorbis headers)', oggFile, 'x.ogg'],
    ['ID3 tag and MPEG frame sync', mp3Small, 'x.mp3'],
  ] as const) {
    it(`${label}: a read error in words or plausible values, reading at most a few times the file`, async () => {
      const valid = await make();
      expect(await readChecked(valid, name)).toBeGreaterThan(0);
      const outcomes = { read: 0, refused: 0 };
      await fc.assert(
        fc.asyncProperty(mutations, async (ms) => {
          const bytes = mutate(valid, ms);
          const read = await readChecked(bytes, name, outcomes);
          // Headers are read through a window and metadata chunks once each: never a walk that
          // rereads the file per chunk (chunk floods) or follows a size past the end.
          expect(read).toBeLessThanOrEqual(8 * bytes.length + 256 * 1024);
        }),
        { numRuns: RUNS, seed: 12 },
      );
      // Both outcomes occur: the mutations reach the checks on values and the checks on reasons.
      expect(outcomes.read).toBeGreaterThan(RUNS / 20);
      expect(outcomes.refused).toBeGreaterThan(RUNS / 20);
    }, 120_000);
  }

  it('a flood of empty chunks is walked with a bounded number of reads', async () => {
    const empty = chunk('JUNK', Buffer.alloc(0));
    const valid = wavFile();
    const flood = Buffer.concat([valid.subarray(0, 36), ...Array.from({ length: 200_000 }, () => empty), valid.subarray(36)]);
    let reads = 0;
    const src = new MemorySource(flood, 'flood.wav');
    const read = src.read.bind(src);
    src.read = (o, n) => (reads++, read(o, n));
    const opened = await openAudio(src);
    expect(opened.meta.format.frames).toBe(400);
    expect(opened.meta.warnings.join(' ')).toMatch(/holds 200,?00\d chunks/);
    expect(reads).toBeLessThan(200);
  });
});

describe('metadata parsers on arbitrary bytes', () => {
  it('iXML: never throws, output at most MAX_XML_DEPTH deep and storable as JSON', () => {
    const xmlish = fc.array(fc.constantFrom('<A>', '</A>', '<B x="1">', '</B>', '<', '>', ' ', '"', "'", 'text', '&amp;', '&#0;', '<!--', '-->', '<![CDATA[', ']]>', '<!', '[', ']>', '<?', '?>', '/>', '<C/>'), { maxLength: 400 });
    fc.assert(
      fc.property(xmlish, fc.integer({ min: 0, max: 3000 }), (parts, depth) => {
        const xml = '<BWFXML>' + '<D>'.repeat(depth) + parts.join('') + '</BWFXML>';
        const warnings: string[] = [];
        const doc = parseXml(xml, warnings);
        expect(depthOf(doc)).toBeLessThanOrEqual(MAX_XML_DEPTH + 2);
        expect(() => JSON.stringify(doc)).not.toThrow();
        for (const w of warnings) expect(isSentence(w), w).toBe(true);
      }),
      { numRuns: RUNS, seed: 12 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (b) => {
        expect(() => JSON.stringify(parseIxml(b))).not.toThrow();
      }),
      { numRuns: RUNS, seed: 13 },
    );
  });

  it('bext: any bytes give text fields and finite numbers', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1200 }), (b) => {
        const bext = parseBext(b);
        expect(Number.isSafeInteger(bext.timeReference)).toBe(true);
        for (const v of [bext.loudnessValue, bext.loudnessRange, bext.maxTruePeakLevel, bext.maxMomentaryLoudness, bext.maxShortTermLoudness]) {
          if (v !== null) expect(Number.isFinite(v)).toBe(true);
        }
        expect(typeof bext.description).toBe('string');
      }),
      { numRuns: RUNS, seed: 14 },
    );
  });

  it('ID3v2: a mutated tag gives string values and never throws', () => {
    const frame = (id: string, text: string) => {
      const body = Buffer.concat([Buffer.from([3]), Buffer.from(text)]);
      const h = Buffer.alloc(10);
      h.write(id, 0, 'latin1');
      h.writeUInt32BE(body.length, 4);
      return Buffer.concat([h, body]);
    };
    const frames = Buffer.concat([frame('TIT2', 'Door'), frame('TPE1', 'Foley'), frame('COMM', 'eng\0heavy')]);
    const tag = Buffer.concat([Buffer.from([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, frames.length]), frames]);
    fc.assert(
      fc.property(mutations, (ms) => {
        const info = parseId3v2(mutate(tag, ms));
        for (const v of Object.values(info)) expect(typeof v).toBe('string');
      }),
      { numRuns: RUNS, seed: 15 },
    );
  });
});

function depthOf(v: unknown): number {
  // Iterative, like the parser: a test that recursed would fail on the very input it guards against.
  let max = 0;
  const stack: [unknown, number][] = [[v, 0]];
  while (stack.length) {
    const [x, d] = stack.pop()!;
    max = Math.max(max, d);
    if (x && typeof x === 'object') for (const c of Object.values(x)) stack.push([c, d + 1]);
  }
  return max;
}
