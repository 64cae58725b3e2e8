import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMeta } from '../../../main/engine/audio';
import { planTagWrite, writeTagsToFile, type TagValues } from '../../../main/engine/tagging/write';
import { corpusDir, ffprobe, hasCorpus, hasFfprobe } from '../../helpers/corpus';
import { flacParts, mp3AfterTags, oggParts } from '../../helpers/file-parts';
import { tempDir } from '../../helpers/tmp';

const VALUES: TagValues = {
  caption: 'Humpback whale song, long and low — ünïcödé',
  catId: 'ANMLAqua',
  category: 'ANIMALS',
  subCategory: 'AQUATIC',
  fxName: 'Whale song',
  keywords: ['whale', 'song', 'underwater'],
};
const VORBIS = { DESCRIPTION: VALUES.caption, FXNAME: 'Whale song', UCS_CATID: 'ANMLAqua', UCS_CATEGORY: 'ANIMALS', UCS_SUBCATEGORY: 'AQUATIC', KEYWORDS: 'whale, song, underwater' };

const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;

function ffmpeg(args: string[]): void {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-y', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${r.stderr}`);
}

/** ffmpeg decodes the whole file without an error (a broken page CRC or frame would be reported). */
function decodesCleanly(file: string): void {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-'], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  expect(r.stderr.trim()).toBe('');
}

/** Tags as ffprobe shows them: format tags, then the first stream's (Ogg keeps them on the stream), keys upper-cased. */
function probeTags(file: string): Record<string, string> {
  const p = ffprobe(file) as ReturnType<typeof ffprobe> & { streams: { tags?: Record<string, string> }[] };
  const all = { ...(p.streams[0]?.tags ?? {}), ...(p.format.tags ?? {}) };
  return Object.fromEntries(Object.entries(all).map(([k, v]) => [k.toUpperCase(), v]));
}

describe.skipIf(!hasCorpus || !hasFfmpeg)('tags written into FLAC, Ogg and MP3 copies', () => {
  let tmp: { dir: string; cleanup: () => void };
  const src = path.join(corpusDir, 'bwf', 'nuendo_stereo.wav');
  beforeAll(() => {
    tmp = tempDir('cuebank-tag-formats-');
  });
  afterAll(() => tmp?.cleanup());

  it('FLAC: every metadata block but the comment (and padding) and every frame byte-identical', async () => {
    const file = path.join(tmp.dir, 'a.flac');
    ffmpeg(['-i', src, file]);
    const before = flacParts(file);
    const size = fs.statSync(file).size;
    expect(before.blocks.some((b) => b.type === 1)).toBe(true); // ffmpeg leaves 8 KiB of padding
    const beforeMeta = await readMeta(file);
    const r = await writeTagsToFile(file, VALUES);
    expect(r.error).toBeNull();
    const after = flacParts(file);
    expect(after.frames.equals(before.frames)).toBe(true);
    expect(fs.statSync(file).size).toBe(size); // the padding took the longer comment: frames did not move
    const other = (p: typeof before) => p.blocks.filter((b) => b.type !== 4 && b.type !== 1);
    expect(other(after).map((b) => b.type)).toEqual(other(before).map((b) => b.type));
    other(before).forEach((b, i) => expect(other(after)[i].body.equals(b.body)).toBe(true));
    const meta = await readMeta(file);
    expect(meta.format).toEqual(beforeMeta.format);
    expect(meta.info).toMatchObject(VORBIS);
    // The entries ffmpeg wrote (encoder, the source's bext fields) are all still there.
    for (const [k, v] of Object.entries(beforeMeta.info)) if (!(k in VORBIS)) expect(meta.info[k], k).toBe(v);
    if (hasFfprobe) expect(probeTags(file)).toMatchObject({ FXNAME: 'Whale song', UCS_CATID: 'ANMLAqua', KEYWORDS: 'whale, song, underwater' });
    decodesCleanly(file);
  });

  it('FLAC whose comment outgrows its padding: the frames move, still byte-identical', async () => {
    const file = path.join(tmp.dir, 'grow.flac');
    ffmpeg(['-i', src, file]);
    const before = flacParts(file);
    const r = await writeTagsToFile(file, { ...VALUES, keywords: Array.from({ length: 2000 }, (_, i) => `keyword${i}`) });
    expect(r.error).toBeNull();
    const after = flacParts(file);
    expect(after.frames.equals(before.frames)).toBe(true);
    expect(after.blocks.find((b) => b.type === 1)?.body.length).toBe(8192);
    expect((await readMeta(file)).info.KEYWORDS.split(', ')).toHaveLength(2000);
    decodesCleanly(file);
  });

  const oggCases = () => [
    ...(hasCorpus ? fs.readdirSync(path.join(corpusDir, 'field')).filter((n) => n.endsWith('.ogg')).map((n) => path.join(corpusDir, 'field', n)) : []),
  ];

  it.each(oggCases())('Ogg Vorbis corpus file %s: audio packets identical, CRCs valid, fields read back', async (original) => {
    const file = path.join(tmp.dir, path.basename(original));
    fs.copyFileSync(original, file);
    fs.chmodSync(file, 0o644);
    await checkOgg(file, VALUES, 3);
  });

  it('Ogg Opus made by ffmpeg: the same', async () => {
    const file = path.join(tmp.dir, 'a.opus');
    ffmpeg(['-i', src, '-c:a', 'libopus', file]);
    await checkOgg(file, VALUES, 2);
  });

  it('Ogg Vorbis with a comment that needs more header pages: every later page renumbered with a valid CRC', async () => {
    const file = path.join(tmp.dir, 'long-comment.ogg');
    fs.copyFileSync(path.join(corpusDir, 'field', 'glacier-bay-humpback.ogg'), file);
    fs.chmodSync(file, 0o644);
    const keywords = Array.from({ length: 9000 }, (_, i) => `kw${i}`);
    const pagesBefore = oggParts(file).pages.length;
    await checkOgg(file, { ...VALUES, keywords }, 3);
    expect(oggParts(file).pages.length).toBeGreaterThan(pagesBefore);
  });

  async function checkOgg(file: string, values: TagValues, headerPackets: number) {
    const before = oggParts(file);
    const beforeMeta = await readMeta(file);
    const r = await writeTagsToFile(file, values);
    expect(r.error).toBeNull();
    const after = oggParts(file);
    expect(after.packets[0].equals(before.packets[0])).toBe(true);
    expect(after.packets.length).toBe(before.packets.length);
    for (let i = 2; i < before.packets.length; i++) expect(after.packets[i].equals(before.packets[i]), `packet ${i}`).toBe(true);
    expect(after.pages.every((p) => p.crcOk)).toBe(true);
    expect(after.pages.map((p) => p.sequence)).toEqual(after.pages.map((_, i) => i));
    // The audio pages keep their granule positions and flags.
    const audioPages = (x: typeof before) => x.pages.slice(x.pages.length - (before.pages.length - firstAudioPage(before, headerPackets)));
    expect(audioPages(after).map((p) => [p.granule, p.flags])).toEqual(audioPages(before).map((p) => [p.granule, p.flags]));
    const meta = await readMeta(file);
    expect(meta.format).toEqual(beforeMeta.format);
    expect(meta.info).toMatchObject({ ...VORBIS, KEYWORDS: values.keywords.join(', ') });
    for (const [k, v] of Object.entries(beforeMeta.info)) if (!(k in VORBIS) && k !== 'COMMENT' && k !== 'TITLE') expect(meta.info[k], k).toBe(v);
    if (hasFfprobe) expect(probeTags(file)).toMatchObject({ FXNAME: 'Whale song', UCS_CATID: 'ANMLAqua' });
    decodesCleanly(file);
  }

  it('MP3 (ID3v2.4 from ffmpeg): frames after the tag byte-identical, TXXX/COMM/TIT2 read back', async () => {
    const file = path.join(tmp.dir, 'a.mp3');
    ffmpeg(['-i', src, '-c:a', 'libmp3lame', '-b:a', '128k', file]);
    const audio = mp3AfterTags(file);
    const r = await writeTagsToFile(file, VALUES);
    expect(r.error).toBeNull();
    expect(mp3AfterTags(file).equals(audio)).toBe(true);
    const meta = await readMeta(file);
    expect(meta.info).toMatchObject({ ...VORBIS, TITLE: 'Whale song' });
    if (hasFfprobe) expect(probeTags(file)).toMatchObject({ TITLE: 'Whale song', FXNAME: 'Whale song', DESCRIPTION: VALUES.caption });
    decodesCleanly(file);
  });

  it('MP3 with an ID3v2.3 title and comment of its own: they are kept, other frames kept, new ones added', async () => {
    const file = path.join(tmp.dir, 'b.mp3');
    ffmpeg(['-i', src, '-c:a', 'libmp3lame', '-id3v2_version', '3', '-metadata', 'title=Original title', '-metadata', 'comment=user note', file]);
    const audio = mp3AfterTags(file);
    const plan = await planTagWrite(file, VALUES);
    expect(plan.changes.find((c) => c.field === 'ID3 TIT2')).toMatchObject({ before: 'Original title', after: 'Original title' });
    const r = await writeTagsToFile(file, VALUES);
    expect(r.error).toBeNull();
    expect(mp3AfterTags(file).equals(audio)).toBe(true);
    const meta = await readMeta(file);
    expect(meta.info).toMatchObject({ ...VORBIS, TITLE: 'Original title', COMMENT: 'user note' });
    if (hasFfprobe) expect(probeTags(file)).toMatchObject({ TITLE: 'Original title', COMMENT: 'user note', DESCRIPTION: VALUES.caption });
    decodesCleanly(file);
  });

  it('MP3 without an ID3 tag gets a new ID3v2.4 tag in front of the same frames', async () => {
    const file = path.join(tmp.dir, 'c.mp3');
    ffmpeg(['-i', src, '-c:a', 'libmp3lame', '-id3v2_version', '0', '-write_xing', '0', '-map_metadata', '-1', file]);
    expect(fs.readFileSync(file).toString('latin1', 0, 3)).not.toBe('ID3');
    const audio = fs.readFileSync(file);
    const r = await writeTagsToFile(file, VALUES);
    expect(r.error).toBeNull();
    expect(mp3AfterTags(file).equals(audio)).toBe(true);
    expect((await readMeta(file)).info).toMatchObject({ ...VORBIS, COMMENT: VALUES.caption, TITLE: 'Whale song' });
    if (hasFfprobe) expect(probeTags(file)).toMatchObject({ COMMENT: VALUES.caption, TITLE: 'Whale song' });
  });

  it('other formats are refused with a message and left untouched', async () => {
    const file = path.join(tmp.dir, 'a.aiff');
    ffmpeg(['-i', src, file]);
    const bytes = fs.readFileSync(file);
    const plan = await planTagWrite(file, VALUES);
    expect(plan.refusal).toMatch(/AIFF files do not get tags written/);
    const r = await writeTagsToFile(file, VALUES);
    expect(r).toMatchObject({ status: 'refused' });
    expect(r.error).toMatch(/AIFF/);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
  });
});

/** Index of the first audio page: the one after the page on which header packet `count` ends. */
function firstAudioPage(parts: ReturnType<typeof oggParts>, count: number): number {
  return parts.pages.findIndex((p) => p.packetsEnded >= count) + 1;
}
