/**
 * The malformed-input corpus (issue 12): files derived from the intact sources (sources.ts) by
 * seeded edits, one class per kind of damage an outside tester tried, plus valid-but-odd files
 * ffmpeg plays and Cuebank must read. Nothing here is stored in git: generateCorpus writes the
 * same bytes on every run on a machine.
 *
 * Each file says what is expected of it:
 * - 'read': a valid (if odd) file; it must be read, with plausible values.
 * - 'refuse': not audio Cuebank decodes; it must fail with a reason in words.
 * - 'either': damaged; read with plausible values, or failed with a reason in words.
 */
import { writeExtended } from '../../main/engine/audio/aiff';
import { withComments } from '../../main/engine/export/encode/vorbis';
import { Prng } from '../fixtures/prng';
import { aiffOf, chunkBytes, chunksOf, editChunk, editPages, flipBytes, vorbisCommentBody, wavOf, withHeaderPackets, type Chunk } from './byte-edits';
import { aiffFile, id3Header, opusFile, type SourceFile } from './sources';
import type { DecodedAudio } from '../../main/engine/audio/types';

export type Expectation = 'read' | 'refuse' | 'either';

export interface MalformedFile {
  /** Class name (the per-class report groups by it). */
  cls: string;
  /** File name, unique within the corpus, with the extension the file pretends to have. */
  name: string;
  bytes: Buffer;
  expect: Expectation;
}

interface Context {
  sources: SourceFile[];
  audio: DecodedAudio;
  rng: Prng;
  of: (format: SourceFile['format']) => SourceFile[];
  /** The written 16-bit PCM WAV, the base of most WAV header edits. */
  wav: Buffer;
  floatWav: Buffer;
}

interface MalformedClass {
  cls: string;
  expect: Expectation;
  make: (ctx: Context) => [string, Buffer][];
}

const le32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return b;
};
const le16 = (v: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v & 0xffff);
  return b;
};

/** The written PCM WAV with fmt fields overwritten at byte offsets of the fmt body. */
function fmtEdit(wav: Buffer, edits: [offset: number, bytes: Buffer][]): Buffer {
  return wavOf(editChunk(wav, 'fmt ', (c) => edits.forEach(([o, b]) => b.copy(c.body, o))));
}

/** The written WAV with `extra` chunks placed before or after its data chunk. */
function withChunks(wav: Buffer, extra: Chunk[], where: 'before' | 'after' = 'before'): Buffer {
  const chunks = chunksOf(wav);
  const at = chunks.findIndex((c) => c.id === 'data');
  chunks.splice(where === 'before' ? at : at + 1, 0, ...extra);
  return wavOf(chunks);
}

function ixmlWav(wav: Buffer, xml: string | Buffer): Buffer {
  const chunks = chunksOf(wav).filter((c) => c.id !== 'iXML');
  chunks.splice(chunks.findIndex((c) => c.id === 'data'), 0, { id: 'iXML', body: Buffer.from(xml) });
  return wavOf(chunks);
}

/** A WAV whose data chunk is the last, with its size field set to `size` (and `tail` after it). */
function dataSize(wav: Buffer, size: number, tail: Chunk[] = []): Buffer {
  const chunks = chunksOf(wav);
  const data = chunks.find((c) => c.id === 'data')!;
  const rest = chunks.filter((c) => c !== data);
  return Buffer.concat([wavOf(rest).subarray(0, 12 + rest.reduce((n, c) => n + chunkBytes(c).length, 0)), chunkBytes({ ...data, size }), ...tail.map((c) => chunkBytes(c))]);
}

/** Float WAV with some samples replaced by `value` at seeded positions (every `every`-th one when set). */
function floatSamples(wav: Buffer, rng: Prng, values: number[], count: number, float64 = false): Buffer {
  const chunks = chunksOf(wav);
  const fmt = chunks.find((c) => c.id === 'fmt ')!;
  const data = chunks.find((c) => c.id === 'data')!;
  if (float64) {
    // Widen to 64-bit float: a plain WAVE_FORMAT_IEEE_FLOAT fmt with 8-byte samples.
    const n = data.body.length / 4;
    const wide = Buffer.alloc(n * 8);
    for (let i = 0; i < n; i++) wide.writeDoubleLE(data.body.readFloatLE(i * 4), i * 8);
    data.body = wide;
    const channels = fmt.body.readUInt16LE(2);
    const rate = fmt.body.readUInt32LE(4);
    fmt.body = Buffer.concat([le16(3), le16(channels), le32(rate), le32(rate * channels * 8), le16(channels * 8), le16(64)]);
  }
  const bps = float64 ? 8 : 4;
  const total = data.body.length / bps;
  for (let i = 0; i < count; i++) {
    const at = Math.floor(rng.next() * total) * bps;
    const v = values[i % values.length];
    if (float64) data.body.writeDoubleLE(v, at);
    else data.body.writeFloatLE(v, at);
  }
  return wavOf(chunks);
}

function nested(depth: number, close: boolean): string {
  return `<BWFXML>${'<A>'.repeat(depth)}deep${close ? '</A>'.repeat(depth) : ''}</BWFXML>`;
}

function flacEdit(flac: Buffer, fn: (b: Buffer) => void): Buffer {
  const out = Buffer.from(flac);
  fn(out);
  return out;
}

/** STREAMINFO starts at byte 8 of a native FLAC (after 'fLaC' and the block header). */
const SI = 8;

function aiffComm(src: Buffer, fn: (comm: Buffer) => void, type: 'AIFF' | 'AIFC' = 'AIFF'): Buffer {
  return aiffOf(type, editChunk(src, 'COMM', (c) => fn(c.body), true));
}

function mp3Parts(mp3: Buffer): { tag: Buffer; audio: Buffer } {
  const size = ((mp3[6] << 21) | (mp3[7] << 14) | (mp3[8] << 7) | mp3[9]) + 10;
  return { tag: mp3.subarray(0, size), audio: mp3.subarray(size) };
}

function id3Sized(tag: Buffer, declared: number): Buffer {
  const out = Buffer.from(tag);
  out.set(id3Header(declared).subarray(6, 10), 6);
  return out;
}

const CLASSES: MalformedClass[] = [
  // ---- generic damage, applied to every intact source ----
  {
    cls: 'flipped-header-bytes',
    expect: 'either',
    make: (x) => x.sources.flatMap((s, i) => [1, 2, 3, 4, 5, 6].map((k) => [`flip-head-${i}-${k}-${s.name}`, flipBytes(s.bytes, x.rng, k, 512)] as [string, Buffer])),
  },
  {
    cls: 'flipped-bytes-anywhere',
    expect: 'either',
    make: (x) => x.sources.flatMap((s, i) => [1, 2, 3].map((k) => [`flip-any-${i}-${k}-${s.name}`, flipBytes(s.bytes, x.rng, 16 * k)] as [string, Buffer])),
  },
  {
    cls: 'truncated',
    expect: 'either',
    make: (x) =>
      x.sources.flatMap((s, i) => {
        const cuts = [
          7 + Math.floor(x.rng.next() * 40),
          44 + Math.floor(x.rng.next() * 400),
          500 + Math.floor(x.rng.next() * 70_000),
          Math.floor(s.bytes.length * (0.3 + 0.6 * x.rng.next())),
        ];
        return cuts.map((n, k) => [`cut-${k}-${n}-${i}-${s.name}`, s.bytes.subarray(0, n)] as [string, Buffer]);
      }),
  },
  {
    cls: 'zeroed-run',
    expect: 'either',
    make: (x) =>
      x.sources.map((s, i) => {
        const b = Buffer.from(s.bytes);
        const at = Math.floor(x.rng.next() * Math.max(1, b.length - 256));
        b.fill(0, at, at + 256);
        return [`zero-${at}-${i}-${s.name}`, b];
      }),
  },
  {
    cls: 'wrong-extension',
    expect: 'read',
    make: (x) => {
      const wrong: Record<string, string> = { wav: 'mp3', 'wav-float': 'flac', rf64: 'aiff', aiff: 'wav', aifc: 'ogg', flac: 'wav', ogg: 'opus', opus: 'mp3', mp3: 'wav' };
      return x.sources.filter((s) => s.origin === 'written').map((s) => [`misnamed-${s.name.replace(/\.\w+$/, '')}.${wrong[s.format]}`, s.bytes]);
    },
  },
  // ---- RIFF/WAV headers ----
  {
    cls: 'wav-impossible-chunk-sizes',
    expect: 'either',
    make: (x) => {
      const chunks = chunksOf(x.wav);
      const sized = (id: string, size: number) => wavOf(chunks.map((c) => (c.id === id ? { ...c, size } : c)));
      return [
        ['fmt-size-huge.wav', sized('fmt ', 0xfffffff0)],
        ['fmt-size-8.wav', sized('fmt ', 8)],
        ['data-size-past-end.wav', sized('data', chunks.find((c) => c.id === 'data')!.body.length + 100000)],
        ['bext-size-7fffffff.wav', sized('bext', 0x7fffffff)],
        ['ixml-size-odd-no-pad.wav', Buffer.concat([x.wav.subarray(0, 12), ...chunks.map((c) => chunkBytes(c.id === 'iXML' ? { ...c, body: Buffer.concat([c.body, Buffer.from(' ')]) } : c, false, false))])],
        ['riff-size-0.wav', wavOf(chunks, 0)],
        ['riff-size-huge.wav', wavOf(chunks, 0xfffffff0)],
        ['chunk-id-binary.wav', Buffer.concat([x.wav.subarray(0, 12), Buffer.from([1, 2, 3, 4]), le32(10), Buffer.alloc(10), x.wav.subarray(12)])],
      ];
    },
  },
  {
    cls: 'wav-impossible-fmt',
    expect: 'either',
    make: (x) => [
      ['tag-0.wav', fmtEdit(x.wav, [[0, le16(0)]])],
      ['tag-adpcm.wav', fmtEdit(x.wav, [[0, le16(2)]])],
      ['tag-ffff.wav', fmtEdit(x.wav, [[0, le16(0xffff)]])],
      ['bits-0.wav', fmtEdit(x.wav, [[14, le16(0)]])],
      ['bits-1.wav', fmtEdit(x.wav, [[14, le16(1)]])],
      ['bits-7.wav', fmtEdit(x.wav, [[14, le16(7)]])],
      ['bits-12.wav', fmtEdit(x.wav, [[14, le16(12)]])],
      ['bits-33.wav', fmtEdit(x.wav, [[14, le16(33)]])],
      ['bits-64-int.wav', fmtEdit(x.wav, [[14, le16(64)]])],
      ['bits-65535.wav', fmtEdit(x.wav, [[14, le16(65535)]])],
      ['float-bits-16.wav', fmtEdit(x.wav, [[0, le16(3)]])],
      ['extensible-short.wav', fmtEdit(x.wav, [[0, le16(0xfffe)]])],
      ['extensible-bad-guid.wav', wavOf(editChunk(x.floatWav, 'fmt ', (c) => c.body.length >= 40 && c.body.fill(0x5a, 24, 40)))],
      ['byterate-0.wav', fmtEdit(x.wav, [[8, le32(0)]])],
    ],
  },
  {
    cls: 'wav-sample-rate',
    expect: 'either',
    make: (x) =>
      [0, 1, 7, 1000, 0x7fffffff, 0xffffffff, 2_000_000, 384000].map((r) => [`rate-${r}.wav`, fmtEdit(x.wav, [[4, le32(r)]])] as [string, Buffer]),
  },
  {
    cls: 'wav-channels',
    expect: 'either',
    make: (x) => [
      ['channels-0.wav', fmtEdit(x.wav, [[2, le16(0)]])],
      ['channels-3.wav', fmtEdit(x.wav, [[2, le16(3)]])],
      ['channels-65535.wav', fmtEdit(x.wav, [[2, le16(65535)]])],
      ['channels-65535-align.wav', fmtEdit(x.wav, [[2, le16(65535)], [12, le16(65535 * 2 & 0xffff)]])],
      ['channels-1024.wav', fmtEdit(x.wav, [[2, le16(1024)], [12, le16(2048)]])],
    ],
  },
  {
    // A 16-bit stereo file whose blockAlign lies: bits per sample and channels decide (as ffmpeg does).
    cls: 'wav-block-align-wrong',
    expect: 'read',
    make: (x) => [0, 1, 2, 3, 6, 8, 65535].map((a) => [`block-align-${a}.wav`, fmtEdit(x.wav, [[12, le16(a)]])] as [string, Buffer]),
  },
  {
    cls: 'float-non-finite',
    expect: 'read',
    make: (x) => [
      ['one-nan.wav', floatSamples(x.floatWav, x.rng, [NaN], 1)],
      ['many-nan.wav', floatSamples(x.floatWav, x.rng, [NaN], 5000)],
      ['plus-inf.wav', floatSamples(x.floatWav, x.rng, [Infinity], 1)],
      ['minus-inf.wav', floatSamples(x.floatWav, x.rng, [-Infinity], 3)],
      ['huge-3e38.wav', floatSamples(x.floatWav, x.rng, [3e38, -3e38], 2000)],
      ['mixed-nonfinite.wav', floatSamples(x.floatWav, x.rng, [NaN, Infinity, -Infinity, 3e38], 400)],
      ['float64-nan.wav', floatSamples(x.floatWav, x.rng, [NaN, 1e300], 50, true)],
      ['all-nan.wav', floatSamples(x.floatWav, x.rng, [NaN], 400000)],
    ],
  },
  // ---- iXML ----
  {
    cls: 'ixml-oversized',
    expect: 'read',
    make: (x) => [
      ['ixml-lt-spaces-100k.wav', ixmlWav(x.wav, '<BWFXML>' + '< '.repeat(50_000) + '</BWFXML>')],
      ['ixml-lt-spaces-1m.wav', ixmlWav(x.wav, '<BWFXML>' + '< '.repeat(500_000) + '</BWFXML>')],
      ['ixml-lt-only-1m.wav', ixmlWav(x.wav, '<'.repeat(1 << 20) + '>')],
      ['ixml-open-quotes-1m.wav', ixmlWav(x.wav, '<BWFXML>' + '<a "'.repeat(250_000) + '></BWFXML>')],
      ['ixml-many-elements-1m.wav', ixmlWav(x.wav, '<BWFXML>' + '<NOTE>take</NOTE>'.repeat(60_000) + '</BWFXML>')],
      ['ixml-20m.wav', ixmlWav(x.wav, '<BWFXML><NOTE>' + ' '.repeat(20 << 20) + '</NOTE></BWFXML>')],
    ],
  },
  {
    cls: 'ixml-deep',
    expect: 'read',
    make: (x) => [
      ['ixml-nested-10k.wav', ixmlWav(x.wav, nested(10_000, true))],
      ['ixml-nested-10k-unclosed.wav', ixmlWav(x.wav, nested(10_000, false))],
      ['ixml-nested-100k.wav', ixmlWav(x.wav, nested(100_000, true))],
      ['ixml-stray-closings.wav', ixmlWav(x.wav, '<BWFXML>' + '<A>'.repeat(5000) + '</B>'.repeat(50_000) + '</BWFXML>')],
    ],
  },
  {
    cls: 'ixml-garbage',
    expect: 'read',
    make: (x) => [
      ...[1, 2, 3].map((k) => [`ixml-random-${k}.wav`, ixmlWav(x.wav, flipBytes(Buffer.alloc(4096, 0x41), x.rng, 2000))] as [string, Buffer]),
      ['ixml-entities.wav', ixmlWav(x.wav, '<BWFXML><NOTE>' + '&#x110000;&#0;&lt;&bogus;&#99999999999;'.repeat(5000) + '</NOTE></BWFXML>')],
      ['ixml-proto-keys.wav', ixmlWav(x.wav, '<BWFXML><__proto__>x</__proto__><constructor>y</constructor><toString>z</toString></BWFXML>')],
    ],
  },
  // ---- chunk floods ----
  {
    cls: 'chunk-flood',
    expect: 'read',
    make: (x) => {
      const empty = (n: number, id = 'JUNK') => {
        const one = chunkBytes({ id, body: Buffer.alloc(0) });
        return Buffer.concat(Array.from({ length: n }, () => one));
      };
      const chunks = chunksOf(x.wav);
      const at = chunks.findIndex((c) => c.id === 'data');
      const before = Buffer.concat(chunks.slice(0, at).map((c) => chunkBytes(c)));
      const rest = Buffer.concat(chunks.slice(at).map((c) => chunkBytes(c)));
      const file = (mid: Buffer, tail = Buffer.alloc(0)) => {
        const body = Buffer.concat([Buffer.from('WAVE'), before, mid, rest, tail]);
        return Buffer.concat([Buffer.from('RIFF'), le32(body.length), body]);
      };
      return [
        ['flood-1m-empty-before-data.wav', file(empty(1_000_000))],
        ['flood-1m-empty-after-data.wav', file(Buffer.alloc(0), empty(1_000_000))],
        ['flood-100k-empty-list.wav', file(empty(100_000, 'LIST'))],
      ];
    },
  },
  {
    cls: 'list-flood',
    expect: 'read',
    make: (x) => {
      const sub = (id: string, body: Buffer) => chunkBytes({ id, body });
      const info = Buffer.concat([Buffer.from('INFO'), ...Array.from({ length: 50_000 }, (_, i) => sub(i % 2 ? 'ICMT' : 'INAM', Buffer.from(`entry ${i}\0`)))]);
      const adtl = Buffer.concat([Buffer.from('adtl'), ...Array.from({ length: 50_000 }, (_, i) => sub('labl', Buffer.concat([le32(i), Buffer.from(`cue ${i}\0`)])))]);
      const cue = Buffer.concat([le32(50_000), ...Array.from({ length: 50_000 }, (_, i) => Buffer.concat([le32(i), le32(i), Buffer.from('data'), le32(0), le32(0), le32(i * 10)]))]);
      const oneLabel = (i: number) => ({ id: 'LIST', body: Buffer.concat([Buffer.from('adtl'), sub('labl', Buffer.concat([le32(i), Buffer.from(`l${i}\0`)]))]) });
      const smpl = Buffer.alloc(36 + 24);
      smpl.writeUInt32LE(0xffffffff, 28);
      return [
        ['list-info-50k.wav', withChunks(x.wav, [{ id: 'LIST', body: info }])],
        ['list-adtl-50k-cue-50k.wav', withChunks(x.wav, [{ id: 'cue ', body: cue }, { id: 'LIST', body: adtl }])],
        ['list-50k-adtl-chunks.wav', withChunks(x.wav, Array.from({ length: 50_000 }, (_, i) => oneLabel(i)))],
        ['cue-count-ffffffff.wav', withChunks(x.wav, [{ id: 'cue ', body: le32(0xffffffff) }])],
        ['smpl-loops-ffffffff.wav', withChunks(x.wav, [{ id: 'smpl', body: smpl }])],
      ];
    },
  },
  {
    cls: 'bext-odd',
    expect: 'read',
    make: (x) => {
      const bext = (body: Buffer) => wavOf(editChunk(x.wav, 'bext', (c) => (c.body = body)));
      const v2 = Buffer.alloc(602);
      v2.writeUInt16LE(0xffff, 346);
      v2.fill(0x80, 412, 422);
      return [
        ['bext-10-bytes.wav', bext(Buffer.alloc(10, 0x41))],
        ['bext-history-4m.wav', bext(Buffer.concat([Buffer.alloc(602), Buffer.alloc(4 << 20, 0x41)]))],
        ['bext-version-ffff.wav', bext(v2)],
      ];
    },
  },
  // ---- valid-but-odd data sizes (what recorders leave behind) ----
  {
    cls: 'wav-data-size-0',
    expect: 'read',
    make: (x) => [
      ['data-size-0.wav', dataSize(x.wav, 0)],
      ['data-size-0-float.wav', dataSize(x.floatWav, 0)],
      ['data-size-0-then-list.wav', dataSize(x.wav, 0, [{ id: 'LIST', body: Buffer.concat([Buffer.from('INFO'), chunkBytes({ id: 'INAM', body: Buffer.from('after\0\0') })]) }])],
    ],
  },
  {
    cls: 'wav-data-size-ffffffff',
    expect: 'read',
    make: (x) => [
      ['data-size-max.wav', dataSize(x.wav, 0xffffffff)],
      ['data-size-max-float.wav', dataSize(x.floatWav, 0xffffffff)],
      ['data-size-max-then-ixml.wav', dataSize(x.wav, 0xffffffff, [{ id: 'iXML', body: Buffer.from('<BWFXML><NOTE>tail</NOTE></BWFXML>') }])],
    ],
  },
  {
    cls: 'rf64-damaged',
    expect: 'either',
    make: (x) => {
      const rf = x.of('rf64')[0]?.bytes;
      if (!rf) return [];
      const ds = (o: number, v: Buffer) => {
        const b = Buffer.from(rf);
        v.copy(b, 20 + o);
        return b;
      };
      const noDs64 = Buffer.concat([rf.subarray(0, 12), rf.subarray(12 + 36)]);
      return [
        ['rf64-no-ds64.wav', noDs64],
        ['rf64-ds64-short.wav', Buffer.concat([rf.subarray(0, 16), le32(8), rf.subarray(20, 28), rf.subarray(48)])],
        ['rf64-data-2-40.wav', ds(8, Buffer.from([0, 0, 0, 0, 0, 1, 0, 0]))],
        ['rf64-data-0.wav', ds(8, Buffer.alloc(8))],
        ['rf64-table-count-huge.wav', ds(24, le32(0xffffffff))],
      ];
    },
  },
  // ---- AIFF ----
  {
    cls: 'aiff-damaged',
    expect: 'either',
    make: (x) => {
      const a = x.of('aiff')[0]?.bytes;
      if (!a) return [];
      const rate = (bytes: number[]) => aiffComm(a, (c) => Buffer.from(bytes).copy(c, 8));
      return [
        ['channels-0.aiff', aiffComm(a, (c) => c.writeInt16BE(0, 0))],
        ['channels-neg.aiff', aiffComm(a, (c) => c.writeInt16BE(-1, 0))],
        ['channels-32767.aiff', aiffComm(a, (c) => c.writeInt16BE(32767, 0))],
        ['bits-0.aiff', aiffComm(a, (c) => c.writeInt16BE(0, 6))],
        ['bits-40.aiff', aiffComm(a, (c) => c.writeInt16BE(40, 6))],
        ['frames-max.aiff', aiffComm(a, (c) => c.writeUInt32BE(0xffffffff, 2))],
        ['rate-0.aiff', rate([0, 0, 0, 0, 0, 0, 0, 0, 0, 0])],
        ['rate-nan.aiff', rate([0x7f, 0xff, 0xc0, 0, 0, 0, 0, 0, 0, 0])],
        ['rate-inf.aiff', rate([0x7f, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0])],
        ['rate-negative.aiff', rate([...writeExtended(-44100)])],
        ['rate-1e300.aiff', rate([0x43, 0xe4, 0x80, 0, 0, 0, 0, 0, 0, 0])],
        ['rate-tiny.aiff', rate([0x00, 0x01, 0x80, 0, 0, 0, 0, 0, 0, 0])],
        ['ssnd-offset-huge.aiff', aiffOf('AIFF', editChunk(a, 'SSND', (c) => c.body.writeUInt32BE(0xfffffff0, 0), true))],
        ['no-comm.aiff', aiffOf('AIFF', chunksOf(a, true).filter((c) => c.id !== 'COMM'))],
        ['comm-short.aiff', aiffOf('AIFF', editChunk(a, 'COMM', (c) => (c.body = c.body.subarray(0, 10)), true))],
        ['aifc-unknown-compression.aifc', aiffComm(x.of('aifc')[0].bytes, (c) => c.write('ZZZZ', 18, 'latin1'), 'AIFC')],
      ];
    },
  },
  {
    // Rates as Macs wrote them (22254.5454... Hz) and 80-bit values a converter rounded oddly.
    cls: 'aiff-odd-rate',
    expect: 'read',
    make: (x) => {
      const odd = (r: number) => aiffFile(x.audio, 'AIFF', writeExtended(r));
      const unnormal = Buffer.from(writeExtended(48000));
      // The same value with the mantissa shifted right by one and the exponent one higher.
      const e = unnormal.readUInt16BE(0) + 1;
      const hi = unnormal.readUInt32BE(2);
      const lo = unnormal.readUInt32BE(6);
      unnormal.writeUInt16BE(e, 0);
      unnormal.writeUInt32BE(hi >>> 1, 2);
      unnormal.writeUInt32BE(((hi & 1) << 31) | (lo >>> 1), 6);
      return [
        ['rate-44100.5.aiff', odd(44100.5)],
        ['rate-22254.5454.aiff', odd(22254.545454545454)],
        ['rate-11127.27.aiff', odd(11127.2727)],
        ['rate-47999.99999.aiff', odd(47999.99999)],
        ['rate-48000-unnormalised.aiff', aiffFile(x.audio, 'AIFF', unnormal)],
      ];
    },
  },
  // ---- FLAC ----
  {
    cls: 'flac-damaged',
    expect: 'either',
    make: (x) => {
      const f = x.of('flac')[0]?.bytes;
      if (!f) return [];
      const si = (fn: (b: Buffer) => void) => flacEdit(f, (b) => fn(b.subarray(SI, SI + 34)));
      return [
        ['rate-0.flac', si((s) => ((s[10] = 0), (s[11] = 0), (s[12] &= 0x0f)))],
        ['frames-3e6-seconds.flac', si((s) => ((s[13] |= 0x0f), s.writeUInt32BE(0xffffffff, 14)))],
        ['channels-8.flac', si((s) => (s[12] |= 0x0e))],
        ['bits-32.flac', si((s) => ((s[12] |= 1), (s[13] |= 0xf0)))],
        ['block-size-0.flac', si((s) => s.fill(0, 0, 4))],
        ['meta-len-huge.flac', flacEdit(f, (b) => b.writeUIntBE(0xffffff, 5, 3))],
        ['meta-not-last.flac', flacEdit(f, (b) => { for (let o = 4; o < b.length; ) { const len = b.readUIntBE(o + 1, 3); if (b[o] & 0x80) { b[o] &= 0x7f; break; } o += 4 + len; } })],
        ['meta-type-127.flac', flacEdit(f, (b) => (b[4] = (b[4] & 0x80) | 127))],
        ['comment-count-huge.flac', flacEdit(f, (b) => { const o = SI + 34; const vl = b.readUInt32LE(o + 4); b.writeUInt32LE(0xffffffff, o + 8 + vl); })],
        ['frame-sync-gone.flac', flacEdit(f, (b) => { for (let o = SI + 34; o + 1 < b.length; o++) if (b[o] === 0xff && (b[o + 1] & 0xfe) === 0xf8) b[o] = 0; })],
      ];
    },
  },
  // ---- Ogg Vorbis / Opus ----
  {
    cls: 'ogg-damaged',
    expect: 'either',
    make: (x) => {
      const out: [string, Buffer][] = [];
      for (const s of [...x.of('ogg').filter((o) => o.origin === 'written'), ...x.of('opus')]) {
        const tag = s.format;
        const ext = tag === 'opus' ? 'opus' : 'ogg';
        out.push([`${tag}-capture-page2.${ext}`, (() => { const b = Buffer.from(s.bytes); const at = b.indexOf('OggS', 4); if (at > 0) b.write('OggX', at, 'latin1'); return b; })()]);
        out.push([`${tag}-ident-channels-0.${ext}`, editPages(s.bytes, (p, i) => (i === 0 && (p.body[tag === 'opus' ? 9 : 11] = 0), p))]);
        out.push([`${tag}-ident-channels-255.${ext}`, editPages(s.bytes, (p, i) => (i === 0 && (p.body[tag === 'opus' ? 9 : 11] = 255), p))]);
        out.push([`${tag}-ident-rate-0.${ext}`, editPages(s.bytes, (p, i) => (i === 0 && p.body.fill(0, 12, 16), p))]);
        out.push([`${tag}-second-header-garbage.${ext}`, editPages(s.bytes, (p, i) => (i === 1 && p.body.fill(0x55, 0, Math.min(40, p.body.length)), p))]);
        out.push([`${tag}-audio-pages-garbage.${ext}`, editPages(s.bytes, (p, i) => (i > 2 && p.body.fill(0xa5, 0, p.body.length >> 1), p))]);
        out.push([`${tag}-crc-wrong.${ext}`, (() => { const b = Buffer.from(s.bytes); for (let o = b.indexOf('OggS'); o >= 0; o = b.indexOf('OggS', o + 4)) b[o + 22] ^= 0xff; return b; })()]);
        out.push([`${tag}-granule-minus-1.${ext}`, editPages(s.bytes, (p) => ({ ...p, granule: -1n }))]);
        out.push([`${tag}-only-headers.${ext}`, editPages(s.bytes, (p, i) => (i < 3 ? p : null))]);
        out.push([`${tag}-serial-changes.${ext}`, editPages(s.bytes, (p, i) => ({ ...p, serial: p.serial + i }))]);
      }
      if (x.of('opus')[0]) {
        const o = x.of('opus')[0].bytes;
        out.push(['opus-mapping-family-255.opus', editPages(o, (p, i) => (i === 0 && (p.body[18] = 255), p))]);
        out.push(['opus-preskip-max.opus', editPages(o, (p, i) => (i === 0 && p.body.fill(0xff, 10, 12), p))]);
        out.push(['opus-version-99.opus', editPages(o, (p, i) => (i === 0 && (p.body[8] = 99), p))]);
      }
      return out;
    },
  },
  {
    // Cover art makes comment packets span many pages; ffmpeg reads these.
    cls: 'ogg-large-tags',
    expect: 'read',
    make: (x) => {
      const out: [string, Buffer][] = [];
      const vorbis = x.of('ogg').find((s) => s.origin === 'written');
      if (vorbis) {
        for (const kb of [70, 300]) out.push([`vorbis-tags-${kb}k.ogg`, Buffer.from(withComments(vorbis.bytes, [['TITLE', 'Big tags'], ['METADATA_BLOCK_PICTURE', 'A'.repeat(kb * 1024)]]))]);
      }
      const opus = x.of('opus')[0];
      if (opus) {
        for (const kb of [70, 300, 1100]) {
          out.push([
            `opus-tags-${kb}k.opus`,
            withHeaderPackets(opus.bytes, 2, ([head]) => [head, Buffer.concat([Buffer.from('OpusTags'), vorbisCommentBody('Lavf', ['TITLE=Big tags', `METADATA_BLOCK_PICTURE=${'A'.repeat(kb * 1024)}`])])]),
          ]);
        }
        const big = opusFile(x.audio, 80 * 1024);
        if (big) out.push(['opus-ffmpeg-tags-80k.opus', big]);
      }
      return out;
    },
  },
  // ---- MP3 ----
  {
    cls: 'mp3-id3-odd',
    expect: 'read',
    make: (x) => {
      const m = x.of('mp3')[0]?.bytes;
      if (!m) return [];
      const { tag, audio } = mp3Parts(m);
      const body = tag.length - 10;
      return [
        ['id3-size-short.mp3', Buffer.concat([id3Sized(tag, body - 8), audio])],
        ['id3-size-long.mp3', Buffer.concat([id3Sized(tag, body + 300), audio])],
        ['id3-zero-padding-4k.mp3', Buffer.concat([tag, Buffer.alloc(4096), audio])],
        ['id3-padding-not-counted.mp3', Buffer.concat([tag, Buffer.alloc(1000, 0x20), audio])],
        ['id3-twice.mp3', Buffer.concat([tag, tag, audio])],
        ['id3-footer-flag-no-footer.mp3', (() => { const t = Buffer.from(tag); t[5] |= 0x10; return Buffer.concat([t, audio]); })()],
        ['id3v1-and-ape-only.mp3', Buffer.concat([audio, Buffer.from('TAG'), Buffer.alloc(125, 0x41)])],
      ];
    },
  },
  {
    cls: 'mp3-damaged',
    expect: 'either',
    make: (x) => {
      const m = x.of('mp3')[0]?.bytes;
      if (!m) return [];
      const { tag, audio } = mp3Parts(m);
      const a = (fn: (b: Buffer) => void) => {
        const b = Buffer.from(audio);
        fn(b);
        return Buffer.concat([tag, b]);
      };
      return [
        ['first-frame-header-damaged.mp3', a((b) => b.fill(0x11, 1, 4))],
        ['every-sync-damaged.mp3', a((b) => { for (let o = 0; o + 1 < b.length; o++) if (b[o] === 0xff && (b[o + 1] & 0xe0) === 0xe0) b[o] = 0x7f; })],
        ['id3-size-huge.mp3', Buffer.concat([id3Sized(tag, 0x0fffffff), audio])],
        ['id3-unsync-garbage.mp3', (() => { const t = Buffer.from(tag); t[5] |= 0xc0; t.fill(0xff, 10); return Buffer.concat([t, audio]); })()],
        ['frames-halved.mp3', a((b) => b.fill(0, b.length >> 1))],
      ];
    },
  },
  // ---- not audio at all ----
  {
    cls: 'not-audio',
    expect: 'refuse',
    make: (x) => [
      ['notes.wav', Buffer.from('Session notes\nTake 3 was the good one.\n'.repeat(20))],
      ['cover.wav', Buffer.concat([Buffer.from([0x89]), Buffer.from('PNG\r\n\x1a\n'), Buffer.alloc(200)])],
      ['zeros.mp3', Buffer.alloc(10_000)],
      ['noise.flac', flipBytes(Buffer.alloc(20_000), x.rng, 20_000)],
      ['empty.wav', Buffer.alloc(0)],
      ['one-byte.ogg', Buffer.from([0x4f])],
      ['riff-only.wav', Buffer.from('RIFF')],
      ['riff-avi.wav', Buffer.concat([Buffer.from('RIFF'), le32(100), Buffer.from('AVI '), Buffer.alloc(100)])],
    ],
  },
];

/** Class names in order, for reports. */
export const CLASS_NAMES = ['intact', ...CLASSES.map((c) => c.cls)];

/**
 * Every malformed file, deterministic for a seed. `perClass` keeps only the first N of each class
 * (the fast subset in `npm test`).
 */
export function generateCorpus(sources: SourceFile[], audio: DecodedAudio, opts: { seed?: number; perClass?: number } = {}): MalformedFile[] {
  const seed = opts.seed ?? 12;
  const wav = sources.find((s) => s.name === 'written-pcm16.wav')!.bytes;
  const floatWav = sources.find((s) => s.name === 'written-float32.wav')!.bytes;
  const out: MalformedFile[] = [];
  CLASSES.forEach((c, k) => {
    const rng = new Prng(seed * 1000 + k);
    const ctx: Context = { sources, audio, rng, of: (f) => sources.filter((s) => s.format === f), wav, floatWav };
    let files = c.make(ctx);
    if (opts.perClass) files = spread(files, opts.perClass);
    const seen = new Set<string>();
    for (const [name, bytes] of files) {
      let unique = name;
      for (let n = 2; seen.has(unique); n++) unique = `${n}-${name}`;
      seen.add(unique);
      out.push({ cls: c.cls, name: `${c.cls}__${unique}`, bytes, expect: c.expect });
    }
  });
  return out;
}

/** `n` items spread over the list (first, last and between), so a subset still varies. */
function spread<T>(items: T[], n: number): T[] {
  if (items.length <= n) return items;
  return Array.from({ length: n }, (_, i) => items[Math.round((i * (items.length - 1)) / Math.max(1, n - 1))]);
}
