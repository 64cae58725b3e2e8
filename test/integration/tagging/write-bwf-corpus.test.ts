import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMeta } from '../../../main/engine/audio';
import { planTagWrite, writeTagsToFile, type TagValues } from '../../../main/engine/tagging/write';
import { corpusDir, ffprobe, hasCorpus, hasFfprobe } from '../../helpers/corpus';
import { riffChunks, type Chunk } from '../../helpers/file-parts';
import { tempDir } from '../../helpers/tmp';

const VALUES: TagValues = {
  caption: 'Camera shutter clicks twice & a "bump" <close>',
  catId: 'CAMRShutr',
  category: 'CAMERA',
  subCategory: 'SHUTTER',
  fxName: 'Shutter click',
  keywords: ['camera', 'shutter', 'click'],
};
const USER = { CATEGORY: 'CAMERA', SUBCATEGORY: 'SHUTTER', CATID: 'CAMRShutr', FXNAME: 'Shutter click', DESCRIPTION: VALUES.caption, KEYWORDS: 'camera, shutter, click' };
const ASWG = { category: 'CAMERA', subCategory: 'SHUTTER', catId: 'CAMRShutr', fxName: 'Shutter click' };

const bwfFiles = hasCorpus ? fs.readdirSync(path.join(corpusDir, 'bwf')).filter((n) => /\.wav$/i.test(n)).sort() : [];

/** Every original chunk is in the new file, in order, byte-identical; bext only differs in its description; nothing but bext/iXML is added. */
function compareChunks(before: Chunk[], after: Chunk[]): void {
  const edited = new Set(['bext', 'iXML']);
  const kept = after.filter((c) => before.some((b) => b.id === c.id) || !edited.has(c.id));
  expect(kept.map((c) => c.id)).toEqual(before.map((c) => c.id));
  for (const [i, b] of before.entries()) {
    const a = kept[i];
    if (b.id === 'bext') expect(a.body.subarray(256).equals(b.body.subarray(256)), 'bext past the description').toBe(true);
    else if (b.id !== 'iXML') expect(a.body.equals(b.body), `${b.id} chunk`).toBe(true);
  }
  for (const c of after.filter((c) => !before.some((b) => b.id === c.id))) expect(edited.has(c.id)).toBe(true);
}

describe.skipIf(!hasCorpus)('tags written into every corpus BWF file', () => {
  let tmp: { dir: string; cleanup: () => void };
  beforeAll(() => {
    tmp = tempDir('cuebank-bwf-write-');
  });
  afterAll(() => tmp?.cleanup());

  it.each(bwfFiles)('%s: audio and unedited chunks byte-identical, fields read back, ffprobe reads it', async (name) => {
    const original = path.join(corpusDir, 'bwf', name);
    const file = path.join(tmp.dir, name);
    fs.copyFileSync(original, file);
    fs.chmodSync(file, 0o644);
    const beforeMeta = await readMeta(file);
    const before = riffChunks(file);

    const plan = await planTagWrite(file, VALUES);
    expect(plan.refusal).toBeNull();
    expect(fs.readFileSync(file).equals(fs.readFileSync(original))).toBe(true); // planning writes nothing

    const result = await writeTagsToFile(file, VALUES);
    expect(result, result.error ?? '').toMatchObject({ status: 'written', error: null });
    const after = riffChunks(file);
    expect(after.form).toBe(before.form);
    expect(after.riffSize).toBe(after.length - 8);
    compareChunks(before.chunks, after.chunks);
    expect(after.chunks.find((c) => c.id === 'data')!.body.equals(before.chunks.find((c) => c.id === 'data')!.body)).toBe(true);

    const oldIxml = before.chunks.find((c) => c.id === 'iXML');
    if (oldIxml) {
      // The original iXML text is kept character for character: taking out the added USER and ASWG blocks gives it back.
      const text = (b: Buffer) => b.toString('utf8').replace(/\0[\s\S]*$/, '');
      const merged = text(after.chunks.find((c) => c.id === 'iXML')!.body);
      expect(merged.replace(/[ \t]*<USER>[\s\S]*?<\/USER>\n/, '').replace(/[ \t]*<ASWG>[\s\S]*?<\/ASWG>\n/, '')).toBe(text(oldIxml.body));
    }
    const meta = await readMeta(file);
    expect(meta.format).toEqual(beforeMeta.format);
    expect(meta.cues).toEqual(beforeMeta.cues);
    expect(meta.sampler).toEqual(beforeMeta.sampler);
    expect(meta.ixml?.USER).toMatchObject(USER);
    expect(meta.ixml?.ASWG).toMatchObject(ASWG);
    // Every iXML element that was there before is still there with its value.
    for (const [k, v] of Object.entries(beforeMeta.ixml ?? {})) expect(meta.ixml?.[k], `iXML ${k}`).toEqual(v);
    const oldDescription = beforeMeta.bext?.description ?? '';
    if (oldDescription.trim()) {
      // Production data or the recorder's own text stays; the caption lives in iXML only.
      expect(meta.bext?.description).toBe(oldDescription);
    } else {
      expect(meta.bext?.description).toBe(VALUES.caption);
    }
    if (beforeMeta.bext) expect({ ...meta.bext, description: '' }).toEqual({ ...beforeMeta.bext, description: '' });

    if (hasFfprobe) {
      const probe = ffprobe(file);
      // ffprobe files bext's description under "comment", unless a LIST/INFO ICMT took that name first.
      expect(probe.format.tags?.comment ?? '').toBe(meta.info.ICMT ?? meta.bext?.description ?? '');
      const probeBefore = ffprobe(original);
      expect(probe.streams[0]).toMatchObject({ codec_name: probeBefore.streams[0].codec_name, sample_rate: probeBefore.streams[0].sample_rate, channels: probeBefore.streams[0].channels });
    }
    expect(fs.statSync(file).mode & 0o777).toBe(0o644);
    expect(fs.readdirSync(tmp.dir).filter((n) => n.includes('cuebank-partial'))).toEqual([]);
  });

  it('keeps SCENE=/TAKE= production data in the bext description and puts the caption in iXML only', async () => {
    const name = bwfFiles.find((n) => n.startsWith('sounddevices'))!;
    const file = path.join(tmp.dir, `scene-${name}`);
    fs.copyFileSync(path.join(corpusDir, 'bwf', name), file);
    fs.chmodSync(file, 0o644);
    const plan = await planTagWrite(file, VALUES);
    const bext = plan.changes.find((c) => c.field === 'bext description')!;
    expect(bext.before).toMatch(/SCENE=A101/);
    expect(bext.after).toBe(bext.before);
    expect(bext.note).toMatch(/kept/);
    await writeTagsToFile(file, VALUES);
    const meta = await readMeta(file);
    expect(meta.bext?.description).toMatch(/sSCENE=A101\r\n/);
    expect(meta.bext?.description).toMatch(/sTAKE=\d/);
    expect(meta.ixml?.SCENE).toBe('A101');
    expect((meta.ixml?.USER as Record<string, string>).DESCRIPTION).toBe(VALUES.caption);
  });

  it('a second write with a new caption replaces the caption it wrote, in bext too, and adds no duplicates', async () => {
    const name = 'protools_umid.wav'; // bext with an empty description
    const file = path.join(tmp.dir, `again-${name}`);
    fs.copyFileSync(path.join(corpusDir, 'bwf', name), file);
    fs.chmodSync(file, 0o644);
    expect((await writeTagsToFile(file, VALUES)).status).toBe('written');
    const next = { ...VALUES, caption: 'A different caption', keywords: ['other'] };
    expect((await writeTagsToFile(file, next)).status).toBe('written');
    const meta = await readMeta(file);
    expect(meta.bext?.description).toBe('A different caption');
    expect(meta.ixml?.USER).toMatchObject({ DESCRIPTION: 'A different caption', KEYWORDS: 'other', CATID: 'CAMRShutr' });
    expect(riffChunks(file).chunks.filter((c) => c.id === 'iXML')).toHaveLength(1);
    expect((await writeTagsToFile(file, next)).status).toBe('unchanged');
  });

  it('bytes after the last chunk that are no chunk are kept at the end, outside the RIFF size', async () => {
    const file = path.join(tmp.dir, 'tail.wav');
    const tail = Buffer.alloc(100, 0xab);
    fs.writeFileSync(file, Buffer.concat([fs.readFileSync(path.join(corpusDir, 'bwf', 'nuendo_mono.wav')), tail]));
    const data = riffChunks(file).chunks.find((c) => c.id === 'data')!.body;
    expect((await readMeta(file)).warnings.join(' ')).toMatch(/unreadable bytes/);
    const r = await writeTagsToFile(file, VALUES);
    expect(r.error).toBeNull();
    const bytes = fs.readFileSync(file);
    expect(bytes.subarray(bytes.length - 100).equals(tail)).toBe(true);
    expect(bytes.readUInt32LE(4)).toBe(bytes.length - 100 - 8);
    expect(riffChunks(file).chunks.find((c) => c.id === 'data')!.body.equals(data)).toBe(true);
    expect((await readMeta(file)).ixml?.USER).toMatchObject(USER);
  });

  it('RF64: ds64 RIFF size follows the new length, the data size and audio stay', async () => {
    const src = path.join(corpusDir, 'bwf', 'nuendo_stereo.wav');
    const file = path.join(tmp.dir, 'rf64.wav');
    const r = spawnSync('ffmpeg', ['-v', 'error', '-y', '-i', src, '-c:a', 'copy', '-rf64', 'always', file]);
    if (r.status !== 0) throw new Error(`ffmpeg could not make an RF64 copy: ${r.stderr}`);
    const before = riffChunks(file);
    expect(before.form).toBe('RF64');
    const result = await writeTagsToFile(file, VALUES);
    expect(result.error).toBeNull();
    const after = riffChunks(file);
    const ds64 = after.chunks.find((c) => c.id === 'ds64')!.body;
    expect(ds64.readUInt32LE(0) + ds64.readUInt32LE(4) * 2 ** 32).toBe(after.length - 8);
    expect(after.chunks.find((c) => c.id === 'data')!.body.equals(before.chunks.find((c) => c.id === 'data')!.body)).toBe(true);
    const meta = await readMeta(file);
    expect(meta.format.container).toBe('rf64');
    expect(meta.bext?.description).toBe(VALUES.caption);
    expect(meta.ixml?.USER).toMatchObject(USER);
    if (hasFfprobe) expect(ffprobe(file).format.tags?.comment).toBe(VALUES.caption);
  });
});
