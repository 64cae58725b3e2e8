import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeFile, readMeta } from '../../../main/engine/audio/read';
import { encodeAudio } from '../../../main/engine/export/encode/index';
import { oggCrc32 } from '../../../main/engine/export/encode/crc';
import { leadingPackets, pagesForPackets, parseOggPages, writeOggPage } from '../../../main/engine/export/encode/ogg-pages';
import { withComments } from '../../../main/engine/export/encode/vorbis';
import { fullMetadata, noise, removeTemp, tempFile, tones } from './encode-signals';

afterAll(removeTemp);

/** Every page's stored CRC equals the one computed with the field zeroed. */
function crcsValid(bytes: Uint8Array): boolean {
  const b = Buffer.from(bytes);
  let o = 0;
  while (o < b.length) {
    const segments = b[o + 26];
    let size = 0;
    for (let i = 0; i < segments; i++) size += b[o + 27 + i];
    const page = Buffer.from(b.subarray(o, o + 27 + segments + size));
    const stored = page.readUInt32LE(22);
    page.writeUInt32LE(0, 22);
    if (oggCrc32(page) !== stored) return false;
    o += page.length;
  }
  return true;
}

describe('Ogg Vorbis export', () => {
  for (const [channels, rate] of [[1, 44100], [2, 48000], [2, 96000], [1, 48000]] as const) {
    it(`${channels} ch, ${rate} Hz: a valid stream of the right length that sounds like its input`, async () => {
      const audio = tones(rate, channels, 1);
      const bytes = await encodeAudio(audio, { container: 'ogg', quality: 0.5 }, fullMetadata());
      expect(crcsValid(bytes)).toBe(true);
      const pages = parseOggPages(bytes);
      expect(pages.map((p) => p.sequence)).toEqual(pages.map((_, i) => i));
      expect(new Set(pages.map((p) => p.serial)).size).toBe(1);
      expect(pages[0].flags & 2).toBe(2); // beginning of stream
      expect(pages[pages.length - 1].flags & 4).toBe(4); // end of stream
      expect(pages[pages.length - 1].granule).toBe(BigInt(audio.channels[0].length));

      const file = tempFile(`rt-${channels}-${rate}.ogg`);
      fs.writeFileSync(file, bytes);
      const { meta, audio: back } = await decodeFile(file);
      expect(meta.format).toMatchObject({ container: 'ogg', codec: 'vorbis', sampleRate: rate, channels, frames: audio.channels[0].length });
      expect(meta.warnings).toEqual([]);
      // Lossy, but the waveform is there: correlation with the input close to 1.
      for (let c = 0; c < channels; c++) {
        const a = audio.channels[c];
        const b = back.channels[c];
        let ab = 0;
        let aa = 0;
        let bb = 0;
        for (let i = 0; i < a.length; i++) {
          ab += a[i] * b[i];
          aa += a[i] * a[i];
          bb += b[i] * b[i];
        }
        expect(ab / Math.sqrt(aa * bb)).toBeGreaterThan(0.98);
      }
    });
  }

  it('replaces the comment header: every tag reads back, the vendor string stays libvorbis', async () => {
    const file = tempFile('tags.ogg');
    const bytes = await encodeAudio(tones(48000, 2, 0.5), { container: 'ogg', quality: 0.3 }, fullMetadata());
    fs.writeFileSync(file, bytes);
    const comment = leadingPackets(parseOggPages(bytes), 2)[1].packet;
    expect(Buffer.from(comment.subarray(0, 7)).toString('latin1')).toBe('\x03vorbis');
    expect(Buffer.from(comment).toString('utf8')).toContain('Xiph.Org libVorbis');
    expect(comment[comment.length - 1]).toBe(1); // framing bit
    const m = await readMeta(file);
    expect(m.info).toEqual({
      TITLE: 'Door Slam <Heavy> & "Oak"',
      DESCRIPTION: "Heavy oak door slams shut, 'boomy' tail",
      ARTIST: 'Zoë Ruiz',
      ALBUM: 'Cuebank Foley',
      GENRE: 'DOORS',
      COMMENT: 'Recorded <close> & dry',
      KEYWORDS: 'door, slam, oak, wood',
      DATE: '2025-03-04',
      ORGANIZATION: 'Ember Audio',
      PROJECT: 'Project Ember',
      UCS_CATID: 'DOORWood',
      UCS_CATEGORY: 'DOORS',
      UCS_SUBCATEGORY: 'WOOD',
      UCS_CATEGORYFULL: 'DOORS-WOOD',
      UCS_USERCATEGORY: 'INT',
      UCS_VENDORCATEGORY: 'Foley',
      UCS_USERDATA: 'take 3',
      FXNAME: 'Heavy Oak Slam',
      CREATORID: 'ZR',
      SOURCEID: 'EMB',
      SOURCE: 'door_slam_03.wav',
      ISGENERATED: 'true',
      ISLOOP: 'false',
      LOUDNESS_INTEGRATED: '-18.23 LUFS',
      LOUDNESS_RANGE: '4.56 LU',
      TRUE_PEAK: '-1.04 dBTP',
      SAMPLE_PEAK: '-1.30 dBFS',
      ENCODER: 'Cuebank',
    });
  });

  it('re-pages a comment packet larger than one page, keeping the audio pages and their granules', async () => {
    const bytes = await encodeAudio(tones(44100, 1, 0.5), { container: 'ogg', quality: 0.5 }, fullMetadata());
    const before = parseOggPages(bytes);
    const big = withComments(bytes, [['TITLE', 'x'], ['COMMENT', 'é'.repeat(40_000)]]); // 80 KB: spans pages
    expect(crcsValid(big)).toBe(true);
    const after = parseOggPages(big);
    expect(after.length).toBeGreaterThan(before.length);
    expect(after.map((p) => p.sequence)).toEqual(after.map((_, i) => i));
    const audioBefore = before.filter((p) => p.granule > 0n);
    const audioAfter = after.filter((p) => p.granule > 0n);
    expect(audioAfter.map((p) => [p.granule, Buffer.from(p.body).toString('hex')])).toEqual(audioBefore.map((p) => [p.granule, Buffer.from(p.body).toString('hex')]));
    // A header page on which no packet ends carries granule -1, and the page after it is flagged continued.
    const open = after.findIndex((p) => p.granule === -1n);
    expect(open).toBe(1);
    expect(after[open].lacing.length).toBe(255);
    expect(after[open + 1].flags & 1).toBe(1);
    expect(after[open + 1].granule).toBe(0n);
    const file = tempFile('big-comment.ogg');
    fs.writeFileSync(file, big);
    const m = await readMeta(file);
    expect(m.info.COMMENT).toBe('é'.repeat(40_000));
    expect(m.format.frames).toBe(22050);
  });

  it('lays out packets of exactly 255 bytes with a terminating zero segment', () => {
    const pages = pagesForPackets([new Uint8Array(255).fill(1), new Uint8Array(3).fill(2)], 9, 1);
    expect(Array.from(pages[0].lacing)).toEqual([255, 0, 3]);
    const back = leadingPackets(parseOggPages(Buffer.concat(pages.map(writeOggPage))), 2);
    expect(back.map((p) => p.packet.length)).toEqual([255, 3]);
  });

  it('gives the same bytes for the same input (reproducible exports)', async () => {
    const audio = tones(48000, 2, 0.3);
    const a = await encodeAudio(audio, { container: 'ogg', quality: 0.5 }, fullMetadata());
    const b = await encodeAudio(audio, { container: 'ogg', quality: 0.5 }, fullMetadata());
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('spends more bits at higher quality', async () => {
    const audio = noise(48000, 2, 1);
    const low = (await encodeAudio(audio, { container: 'ogg', quality: 0 }, fullMetadata())).length;
    const high = (await encodeAudio(audio, { container: 'ogg', quality: 1 }, fullMetadata())).length;
    expect(high).toBeGreaterThan(low * 1.5);
  });

  it('refuses more than two channels and qualities outside 0..1 with clear messages', async () => {
    await expect(encodeAudio(tones(48000, 6, 0.1), { container: 'ogg', quality: 0.5 }, fullMetadata())).rejects.toThrow(
      /Ogg Vorbis export supports mono and stereo only \(this audio has 6 channels\): export WAV or FLAC/,
    );
    await expect(encodeAudio(tones(48000, 1, 0.1), { container: 'ogg', quality: 1.5 }, fullMetadata())).rejects.toThrow(/between 0 and 1/);
  });
});
