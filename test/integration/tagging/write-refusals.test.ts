import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMeta } from '../../../main/engine/audio';
import { writeTagsToFile, type TagValues } from '../../../main/engine/tagging/write';
import { corpusDir, hasCorpus } from '../../helpers/corpus';
import { riffChunks } from '../../helpers/file-parts';
import { tempDir } from '../../helpers/tmp';

const VALUES: TagValues = { caption: 'Glass breaks', catId: 'GLASBreak', category: 'GLASS', subCategory: 'BREAK', fxName: 'Glass break', keywords: [] };

/** A RIFF chunk: id, little-endian size, body, pad byte. */
const chunk = (id: string, body: Buffer) => Buffer.concat([Buffer.from(id, 'latin1'), Buffer.from(Uint32Array.of(body.length).buffer), body, Buffer.alloc(body.length & 1)]);

describe.skipIf(!hasCorpus)('files a tag write refuses, and links it follows', () => {
  let tmp: { dir: string; cleanup: () => void };
  const corpus = (name: string) => fs.readFileSync(path.join(corpusDir, 'bwf', name));
  beforeAll(() => {
    tmp = tempDir('cuebank-write-refusals-');
  });
  afterAll(() => tmp?.cleanup());

  it('a WAV cut short is refused in words and left as it is', async () => {
    const file = path.join(tmp.dir, 'cut.wav');
    const whole = corpus('nuendo_mono.wav');
    fs.writeFileSync(file, whole.subarray(0, whole.length - 5000));
    const bytes = fs.readFileSync(file);
    const r = await writeTagsToFile(file, VALUES);
    expect(r.status).toBe('refused');
    expect(r.error).toMatch(/cut short/);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
  });

  it('an iXML chunk that is not well-formed is refused, not rewritten', async () => {
    const file = path.join(tmp.dir, 'bad-ixml.wav');
    const parts = riffChunks(path.join(corpusDir, 'bwf', 'smpl_alarm_citizen_loop1.wav'));
    const body = Buffer.concat([...parts.chunks.map((c) => chunk(c.id, c.body)), chunk('iXML', Buffer.from('<BWFXML><USER><CATID>x</USER></BWFXML>'))]);
    const head = Buffer.concat([Buffer.from('RIFF'), Buffer.from(Uint32Array.of(body.length + 4).buffer), Buffer.from('WAVE')]);
    fs.writeFileSync(file, Buffer.concat([head, body]));
    const bytes = fs.readFileSync(file);
    const r = await writeTagsToFile(file, VALUES);
    expect(r.status).toBe('refused');
    expect(r.error).toMatch(/iXML chunk is not well-formed/);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
  });

  it('a symbolic link is followed: the file it points at is rewritten and the link stays a link', async () => {
    const target = path.join(tmp.dir, 'target.wav');
    fs.writeFileSync(target, corpus('nuendo_mono.wav'));
    const link = path.join(tmp.dir, 'link.wav');
    fs.symlinkSync(target, link);
    const r = await writeTagsToFile(link, VALUES);
    expect(r.status).toBe('written');
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect((await readMeta(target)).ixml?.USER).toMatchObject({ DESCRIPTION: 'Glass breaks', CATID: 'GLASBreak' });
  });
});
