import { afterAll, describe, expect, it } from 'vitest';
import { readMeta } from '../../../main/engine/audio';
import { parseBext } from '../../../main/engine/audio/bwf';
import { chunk, fmt, riff, tempFile, u16le, u32le, removeTempFiles } from './build';

afterAll(removeTempFiles);

interface BextFields {
  description?: string;
  originator?: string;
  originatorReference?: string;
  date?: string;
  time?: string;
  timeReference?: number;
  version: number;
  umid?: Buffer;
  loudness?: number[];
  codingHistory?: string;
}

function bextBody(f: BextFields): Buffer {
  const fixed = (s: string | undefined, n: number) => {
    const b = Buffer.alloc(n);
    b.write(s ?? '', 'latin1');
    return b;
  };
  const tr = f.timeReference ?? 0;
  const loud = Buffer.alloc(10);
  (f.loudness ?? [0, 0, 0, 0, 0]).forEach((v, i) => loud.writeInt16LE(Math.round(v * 100), i * 2));
  return Buffer.concat([
    fixed(f.description, 256),
    fixed(f.originator, 32),
    fixed(f.originatorReference, 32),
    fixed(f.date, 10),
    fixed(f.time, 8),
    u32le(tr % 2 ** 32),
    u32le(Math.floor(tr / 2 ** 32)),
    u16le(f.version),
    f.umid ?? Buffer.alloc(64),
    loud,
    Buffer.alloc(180),
    Buffer.from(f.codingHistory ?? '', 'latin1'),
  ]);
}

const wavWith = (name: string, ...extra: Buffer[]) =>
  tempFile(name, riff([fmt({ channels: 1, rate: 48000, bits: 16 }), ...extra, chunk('data', Buffer.alloc(200))]));

describe('bext', () => {
  it('reads every field of a version 2 chunk, loudness as int16/100', async () => {
    const umid = Buffer.alloc(64);
    for (let i = 0; i < 32; i++) umid[i] = i * 7 + 1;
    const file = wavWith(
      'v2.wav',
      chunk(
        'bext',
        bextBody({
          description: 'Door slam, heavy wooden door, interior',
          originator: 'Cuebank Recorder',
          originatorReference: 'USCBK0000000001',
          date: '2024-03-09',
          time: '13:45:07',
          timeReference: 5_000_000_000, // above 2^32: needs the high word
          version: 2,
          umid,
          loudness: [-23.5, 7.25, -1.03, -18.4, -20.01],
          codingHistory: 'A=PCM,F=48000,W=24,M=mono,T=test\r\n',
        }),
      ),
    );
    const { bext } = await readMeta(file);
    expect(bext).toEqual({
      description: 'Door slam, heavy wooden door, interior',
      originator: 'Cuebank Recorder',
      originatorReference: 'USCBK0000000001',
      originationDate: '2024-03-09',
      originationTime: '13:45:07',
      timeReference: 5_000_000_000,
      version: 2,
      umid: umid.subarray(0, 32).toString('hex').toUpperCase(),
      loudnessValue: -23.5,
      loudnessRange: 7.25,
      maxTruePeakLevel: -1.03,
      maxMomentaryLoudness: -18.4,
      maxShortTermLoudness: -20.01,
      codingHistory: 'A=PCM,F=48000,W=24,M=mono,T=test\r\n',
    });
  });

  it('version 0/1: loudness is null, an all-zero UMID is empty, an extended UMID keeps 64 bytes', async () => {
    const v0 = parseBext(bextBody({ description: 'x', version: 0, loudness: [-23, 1, 2, 3, 4] }));
    expect(v0.version).toBe(0);
    expect(v0.umid).toBe('');
    expect([v0.loudnessValue, v0.loudnessRange, v0.maxTruePeakLevel, v0.maxMomentaryLoudness, v0.maxShortTermLoudness]).toEqual([
      null,
      null,
      null,
      null,
      null,
    ]);
    const ext = Buffer.alloc(64, 0xab);
    const v1 = parseBext(bextBody({ version: 1, umid: ext, timeReference: 172800000 }));
    expect(v1.umid).toBe('AB'.repeat(64));
    expect(v1.loudnessValue).toBeNull();
    expect(v1.timeReference).toBe(172800000);
  });

  it('reads a short (damaged) bext chunk without failing', () => {
    const b = parseBext(bextBody({ description: 'short', originator: 'me', version: 1 }).subarray(0, 300));
    expect(b.description).toBe('short');
    expect(b.originator).toBe('me');
    expect(b.originatorReference).toBe('');
    expect(b.timeReference).toBe(0);
  });

  it('decodes UTF-8 text, falling back to Latin-1', async () => {
    const utf8 = Buffer.alloc(256);
    utf8.write('Tür – ドア', 'utf8');
    const latin = Buffer.alloc(256);
    latin.write('Tür', 'latin1');
    const body = (d: Buffer) => Buffer.concat([d, bextBody({ version: 1 }).subarray(256)]);
    expect(parseBext(body(utf8)).description).toBe('Tür – ドア');
    expect(parseBext(body(latin)).description).toBe('Tür');
  });
});

describe('iXML, LIST/INFO, cue labels and smpl through a WAV file', () => {
  it('reads iXML into a nested object with repeated elements as arrays', async () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<BWFXML><PROJECT>Forest &amp; Field</PROJECT><SCENE>12A</SCENE><TAKE>3</TAKE><NOTE></NOTE>
<TRACK_LIST><TRACK_COUNT>2</TRACK_COUNT><TRACK><NAME>Boom</NAME></TRACK><TRACK><NAME>Lav</NAME></TRACK></TRACK_LIST></BWFXML>\0\0 `;
    const meta = await readMeta(wavWith('ixml.wav', chunk('iXML', Buffer.from(xml))));
    expect(meta.ixml).toEqual({
      PROJECT: 'Forest & Field',
      SCENE: '12A',
      TAKE: '3',
      NOTE: '',
      TRACK_LIST: { TRACK_COUNT: '2', TRACK: [{ NAME: 'Boom' }, { NAME: 'Lav' }] },
    });
  });

  it('reads LIST/INFO with upper-case keys, trimmed and NUL-terminated', async () => {
    const info = Buffer.concat([
      Buffer.from('INFO'),
      chunk('INAM', Buffer.from('Glass break 03\0')),
      chunk('IART', Buffer.from('Field Team\0\0')),
      chunk('ICMT', Buffer.from(' close mic \0')),
      chunk('isft', Buffer.from('Cuebank')),
    ]);
    const meta = await readMeta(wavWith('info.wav', chunk('LIST', info)));
    expect(meta.info).toEqual({ INAM: 'Glass break 03', IART: 'Field Team', ICMT: 'close mic', ISFT: 'Cuebank' });
  });

  it('reads cue points with their adtl labels, sorted by position', async () => {
    const cuePoint = (id: number, pos: number) => Buffer.concat([u32le(id), u32le(pos), Buffer.from('data'), u32le(0), u32le(0), u32le(pos)]);
    const cue = chunk('cue ', Buffer.concat([u32le(3), cuePoint(1, 4800), cuePoint(2, 100), cuePoint(3, 9000)]));
    const adtl = chunk(
      'LIST',
      Buffer.concat([
        Buffer.from('adtl'),
        chunk('labl', Buffer.concat([u32le(1), Buffer.from('Impact\0')])),
        chunk('labl', Buffer.concat([u32le(2), Buffer.from('Start\0')])),
        chunk('note', Buffer.concat([u32le(3), Buffer.from('tail note\0')])),
      ]),
    );
    const meta = await readMeta(wavWith('cue.wav', cue, adtl));
    expect(meta.cues).toEqual([
      { id: 2, position: 100, label: 'Start' },
      { id: 1, position: 4800, label: 'Impact' },
      { id: 3, position: 9000, label: 'tail note' },
    ]);
  });

  it('reads the smpl chunk: unity note and loops', async () => {
    const loop = (type: number, start: number, end: number, count: number) =>
      Buffer.concat([u32le(0), u32le(type), u32le(start), u32le(end), u32le(0), u32le(count)]);
    const head = Buffer.concat([u32le(0), u32le(0), u32le(20833), u32le(62), u32le(0), u32le(0), u32le(0), u32le(2), u32le(0)]);
    const meta = await readMeta(wavWith('smpl.wav', chunk('smpl', Buffer.concat([head, loop(0, 10, 90, 0), loop(1, 20, 80, 3)]))));
    expect(meta.sampler).toEqual({
      midiUnityNote: 62,
      loops: [
        { start: 10, end: 90, type: 0, playCount: 0 },
        { start: 20, end: 80, type: 1, playCount: 3 },
      ],
    });
  });

  it('metadata chunks after the data chunk are read too', async () => {
    const file = tempFile(
      'after.wav',
      riff([
        fmt({ channels: 1, rate: 48000, bits: 16 }),
        chunk('data', Buffer.alloc(201)), // odd: padded
        chunk('bext', bextBody({ description: 'after data', version: 1 })),
        chunk('iXML', Buffer.from('<BWFXML><TAKE>9</TAKE></BWFXML>')),
      ]),
    );
    const meta = await readMeta(file);
    expect(meta.bext?.description).toBe('after data');
    expect(meta.ixml).toEqual({ TAKE: '9' });
    expect(meta.format.frames).toBe(100);
    expect(meta.warnings).toEqual(['Data chunk ends with a partial sample frame (1 bytes ignored)']);
  });
});
