import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CuebankError } from '../../../main/engine/errors';
import {
  discoverPacks,
  findEmbedderPack,
  MANIFEST_FILE,
  NO_CLAP_PACK_MESSAGE,
  noClapPackMessage,
  readManifest,
  verifyPackFiles,
  type PackInfo,
} from '../../../main/engine/models';
import { FIXTURE_LICENCE, FIXTURE_PACK_ID, writeFixturePack } from '../../fixtures/clap-pack';
import { copyDir, tempDir } from '../../integration/models/helpers';

let source: string; // a pristine fixture pack to copy from
let root: string;

beforeAll(() => {
  root = tempDir('packs');
  source = writeFixturePack(path.join(root, 'source'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** A fresh models folder per test. */
let n = 0;
function modelsDir(): string {
  const dir = path.join(root, `models-${++n}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Copies the fixture pack into `models/<id>`, optionally as a bare Xenova folder (no cuebank.json). */
function addPack(models: string, id: string, { xenova = false } = {}): string {
  const dir = path.join(models, id);
  copyDir(source, dir);
  if (xenova) fs.rmSync(path.join(dir, MANIFEST_FILE));
  return dir;
}

const write = (file: string, text: string) => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
};
const editJson = (file: string, edit: (v: Record<string, unknown>) => void) => {
  const v = JSON.parse(fs.readFileSync(file, 'utf8'));
  edit(v);
  fs.writeFileSync(file, JSON.stringify(v));
};

describe('discoverPacks', () => {
  it('reads the fixture pack and its cuebank.json', async () => {
    const models = modelsDir();
    addPack(models, FIXTURE_PACK_ID);
    const { packs, problems } = await discoverPacks(models);
    expect(problems).toEqual([]);
    expect(packs).toHaveLength(1);
    const p = packs[0];
    expect(p).toMatchObject({
      id: FIXTURE_PACK_ID,
      dir: path.join(models, FIXTURE_PACK_ID),
      modelsDir: models,
      role: 'embedder',
      format: 'xenova-clap',
      name: 'Cuebank fixture CLAP',
      licence: FIXTURE_LICENCE,
      dtypes: ['fp32', 'q8'],
      defaultDtype: 'fp32',
      clap: { sampleRate: 48_000, windowSeconds: 10, maxSamples: 480_000, dim: 512 },
    });
    expect(Object.keys(p.manifest!.sha256).sort()).toContain('onnx/audio_model_quantized.onnx');
  });

  it('detects a Xenova CLAP folder copied in as it is, without a manifest', async () => {
    const models = modelsDir();
    const dir = addPack(models, 'clap-htsat-unfused', { xenova: true });
    // What else a Hub snapshot carries: BPE files and fp16 graphs.
    write(path.join(dir, 'vocab.json'), '{}');
    write(path.join(dir, 'merges.txt'), '#version: 0.2\n');
    fs.copyFileSync(path.join(dir, 'onnx/text_model.onnx'), path.join(dir, 'onnx/text_model_fp16.onnx'));
    fs.copyFileSync(path.join(dir, 'onnx/audio_model.onnx'), path.join(dir, 'onnx/audio_model_fp16.onnx'));
    const { packs, problems } = await discoverPacks(models);
    expect(problems).toEqual([]);
    expect(packs.map((p) => [p.id, p.role, p.format, p.name, p.licence, p.manifest, p.dtypes, p.defaultDtype])).toEqual([
      ['clap-htsat-unfused', 'embedder', 'xenova-clap', 'clap-htsat-unfused', null, null, ['fp32', 'fp16', 'q8'], 'fp32'],
    ]);
  });

  it('ignores folders that hold no model, hidden folders and plain files', async () => {
    const models = modelsDir();
    addPack(models, 'clap');
    write(path.join(models, 'library', 'sfx_001.wav'), 'RIFF');
    write(path.join(models, 'library', 'sub', 'notes.txt'), 'x');
    write(path.join(models, 'notes', 'readme.md'), '# notes');
    write(path.join(models, '.cache', 'config.json'), '{ broken');
    write(path.join(models, 'README.txt'), 'models go here');
    const { packs, problems } = await discoverPacks(models);
    expect(packs.map((p) => p.id)).toEqual(['clap']);
    expect(problems).toEqual([]);
  });

  it('reports broken packs, one line each, and still lists the good ones', async () => {
    const models = modelsDir();
    addPack(models, 'good');
    write(path.join(models, 'bad-json', 'config.json'), '{ "model_type": "clap", ');
    fs.rmSync(path.join(addPack(models, 'no-tokenizer', { xenova: true }), 'tokenizer.json'));
    fs.rmSync(path.join(addPack(models, 'no-graphs', { xenova: true }), 'onnx'), { recursive: true });
    const onlyText = addPack(models, 'only-text', { xenova: true });
    fs.rmSync(path.join(onlyText, 'onnx/audio_model.onnx'));
    fs.rmSync(path.join(onlyText, 'onnx/audio_model_quantized.onnx'));
    editJson(path.join(addPack(models, 'whisper', { xenova: true }), 'config.json'), (c) => (c.model_type = 'whisper'));
    editJson(path.join(addPack(models, 'fused', { xenova: true }), 'preprocessor_config.json'), (c) => (c.truncation = 'fusion'));
    editJson(path.join(addPack(models, 'bad-role'), MANIFEST_FILE), (m) => (m.role = 'painter'));
    editJson(path.join(addPack(models, 'bad-hash'), MANIFEST_FILE), (m) => ((m.sha256 as Record<string, string>)['config.json'] = 'abc'));
    editJson(path.join(addPack(models, 'escape'), MANIFEST_FILE), (m) => ((m.sha256 as Record<string, string>)['../outside.bin'] = 'a'.repeat(64)));
    editJson(path.join(addPack(models, 'lists-missing'), MANIFEST_FILE), (m) => ((m.sha256 as Record<string, string>)['onnx/extra.onnx'] = 'b'.repeat(64)));
    editJson(path.join(addPack(models, 'no-licence'), MANIFEST_FILE), (m) => delete m.licence);
    write(path.join(models, 'onnx-only', 'model.onnx'), 'x');

    const { packs, problems } = await discoverPacks(models);
    expect(packs.map((p) => p.id)).toEqual(['good']);
    const byName = Object.fromEntries(problems.map((p) => [path.basename(p.dir), p.error]));
    expect(Object.keys(byName).sort()).toEqual(
      ['bad-hash', 'bad-json', 'bad-role', 'escape', 'fused', 'lists-missing', 'no-graphs', 'no-licence', 'no-tokenizer', 'onnx-only', 'only-text', 'whisper'].sort(),
    );
    expect(byName['bad-json']).toMatch(/^Model pack "bad-json": config\.json is not valid JSON/);
    expect(byName['no-tokenizer']).toMatch(/tokenizer\.json is missing/);
    expect(byName['no-graphs']).toMatch(/no usable ONNX graphs: expected onnx\/text_model\.onnx and onnx\/audio_model\.onnx/);
    expect(byName['only-text']).toMatch(/onnx\/audio_model\*\.onnx is missing/);
    expect(byName['whisper']).toMatch(/model_type "whisper"; Cuebank uses CLAP packs/);
    expect(byName['fused']).toMatch(/"fusion" truncation/);
    expect(byName['bad-role']).toMatch(/cuebank\.json is invalid: role/);
    expect(byName['bad-hash']).toMatch(/cuebank\.json is invalid: sha256\.config\.json: must be 64 hex digits/);
    expect(byName['escape']).toMatch(/cuebank\.json is invalid: sha256: key "\.\.\/outside\.bin" must stay inside the pack/);
    expect(byName['lists-missing']).toMatch(/missing onnx\/extra\.onnx, listed in cuebank\.json/);
    expect(byName['no-licence']).toMatch(/cuebank\.json is invalid: licence/);
    expect(byName['onnx-only']).toMatch(/neither config\.json nor cuebank\.json/);
    for (const p of problems) expect(p.error).not.toContain('\n');
  });

  it('gives nothing, and no problem, for a models folder that does not exist yet', async () => {
    expect(await discoverPacks(path.join(root, 'no-such-folder'))).toEqual({ packs: [], problems: [] });
  });

  it('lists packs of later roles from their manifest, and never picks them as the embedder', async () => {
    const models = modelsDir();
    write(
      path.join(models, 'tta', MANIFEST_FILE),
      JSON.stringify({
        role: 'generator',
        name: 'Fixture TTA',
        licence: 'CC0',
        format: 'fixture-tta',
        sha256: {},
        audio: { sampleRate: 44_100, channels: 2 },
        generator: { latentShape: [1, 64, 256], sampler: 'euler', steps: 8, somethingNew: true },
        futureTopLevelKey: { kept: true },
      }),
    );
    write(path.join(models, 'tta', 'onnx', 'model.onnx'), 'x');
    const { packs, problems } = await discoverPacks(models);
    expect(problems).toEqual([]);
    expect(packs.map((p) => [p.id, p.role, p.format, p.dtypes])).toEqual([['tta', 'generator', 'fixture-tta', ['fp32']]]);
    expect(packs[0].manifest).toMatchObject({ futureTopLevelKey: { kept: true }, generator: { somethingNew: true } });
    expect(findEmbedderPack(packs)).toBeNull();
  });
});

describe('findEmbedderPack', () => {
  const pack = (id: string, role: PackInfo['role'] = 'embedder'): PackInfo => ({
    id,
    dir: `/m/${id}`,
    modelsDir: '/m',
    role,
    format: role === 'embedder' ? 'xenova-clap' : 'x',
    name: id,
    licence: null,
    manifest: null,
    dtypes: ['fp32'],
    defaultDtype: 'fp32',
    clap: null,
  });

  it('takes the preferred pack when present, else the first embedder by folder name', () => {
    const packs = [pack('gen', 'generator'), pack('a-clap'), pack('b-clap')];
    expect(findEmbedderPack(packs)?.id).toBe('a-clap');
    expect(findEmbedderPack(packs, 'b-clap')?.id).toBe('b-clap');
    expect(findEmbedderPack(packs, 'gone')?.id).toBe('a-clap');
    expect(findEmbedderPack(packs, 'gen')?.id).toBe('a-clap');
    expect(findEmbedderPack([pack('gen', 'generator')])).toBeNull();
    expect(findEmbedderPack([])).toBeNull();
  });

  it('has a plain-language note for when there is no CLAP pack', () => {
    expect(NO_CLAP_PACK_MESSAGE).toMatch(/^Meaning-based search needs a CLAP model pack\./);
    expect(NO_CLAP_PACK_MESSAGE).toContain('Xenova/clap-htsat-unfused');
    expect(noClapPackMessage('/home/me/Cuebank/models')).toContain('into /home/me/Cuebank/models,');
    // The model manager is the first way offered; the command names the actual folder too.
    expect(noClapPackMessage('/home/me/Cuebank/models')).toContain('Download one on the Models screen (or `cuebank models download clap-htsat-unfused --models /home/me/Cuebank/models`)');
  });
});

describe('cuebank.json checksums', () => {
  it('accepts the files as written and names the file that changed', async () => {
    const models = modelsDir();
    const dir = addPack(models, 'clap');
    const manifest = readManifest(dir);
    await expect(verifyPackFiles(dir, manifest)).resolves.toBeUndefined();

    const file = path.join(dir, 'onnx', 'text_model.onnx');
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 1] ^= 0xff;
    fs.writeFileSync(file, bytes);
    const err = await verifyPackFiles(dir, manifest).catch((e) => e);
    expect(err).toBeInstanceOf(CuebankError);
    expect(err.code).toBe('model_error');
    expect(err.message).toMatch(/^Model pack "clap": onnx\/text_model\.onnx does not match its checksum in cuebank\.json \(expected sha256 [0-9a-f]{12}…, found [0-9a-f]{12}…\)/);
    // Only the files asked for are checked.
    await expect(verifyPackFiles(dir, manifest, ['config.json', 'onnx/audio_model.onnx'])).resolves.toBeUndefined();

    fs.rmSync(path.join(dir, 'tokenizer.json'));
    await expect(verifyPackFiles(dir, manifest, ['tokenizer.json'])).rejects.toThrow(/is missing tokenizer\.json, which cuebank\.json lists/);
  });
});
