/**
 * The generator section of cuebank.json: the Stable Audio Open Small example is valid as written,
 * the fixture pack's manifest too, and broken manifests fail with a one-line reason naming the field.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CuebankError } from '../../../main/engine/errors';
import { ManifestSchema, discoverPacks, type Manifest } from '../../../main/engine/models';
import { findGeneratorPacks, GENERATOR_FORMAT, generatorFiles, inspectGeneratorPack, parseGeneratorSpec } from '../../../main/engine/models/generator';
import { generatorManifest, GENERATOR_PACK_ID, writeGeneratorPack } from '../../fixtures/generator-pack';
import { tempDir } from '../../integration/models/helpers';

const SAO = path.resolve(__dirname, '../../../resources/generator-manifests/stable-audio-open-small.json');
const saoJson = () => JSON.parse(fs.readFileSync(SAO, 'utf8')) as Record<string, any>;
const parse = (json: unknown): Manifest => ManifestSchema.parse(json);

function reason(edit: (m: Record<string, any>) => void): string {
  const m = saoJson();
  edit(m);
  try {
    parseGeneratorSpec(parse(m));
  } catch (err) {
    expect(err).toBeInstanceOf(CuebankError);
    expect((err as Error).message).not.toContain('\n');
    return (err as Error).message;
  }
  throw new Error('expected the manifest to be rejected');
}

describe('Stable Audio Open Small example manifest', () => {
  it('is valid and says what the export is', () => {
    const spec = parseGeneratorSpec(parse(saoJson()));
    expect(spec).toMatchObject({
      sampleRate: 44_100,
      channels: 2,
      latent: { channels: 64, samplesPerFrame: 2048, frames: 256 },
      process: 'rectified-flow',
      prediction: 'velocity',
      sampler: 'pingpong',
      steps: 8,
      cfgScale: 1,
      tokenizer: { folder: 'tokenizer', maxLength: 64 },
    });
    expect(Object.keys(spec.graphs.denoiser.inputs).sort()).toEqual(['cross_attn_cond', 'global_cond', 't', 'x']);
    expect(spec.graphs.encoder?.optional).toBe(true);
    expect(spec.values.cross_attn_cond).toEqual({ concat: ['text_states', 'seconds_embedding'], axis: 1 });
  });

  it('names the same graphs and tensors as the fixture pack, which adds only the audio fuser inputs', () => {
    const sao = parseGeneratorSpec(parse(saoJson()));
    const fixture = parseGeneratorSpec(parse(generatorManifest({})));
    expect(fixture.graphs.textEncoder).toEqual(sao.graphs.textEncoder);
    expect(fixture.graphs.conditioners).toEqual(sao.graphs.conditioners);
    expect(fixture.graphs.decoder).toEqual(sao.graphs.decoder);
    expect(fixture.values).toEqual(sao.values);
    const extra = Object.keys(fixture.graphs.denoiser.inputs).filter((k) => !(k in sao.graphs.denoiser.inputs));
    expect(extra.sort()).toEqual(['audio_cond', 'audio_cond_strength']);
  });
});

describe('broken generator manifests', () => {
  it('names the field that is wrong', () => {
    expect(reason((m) => delete m.generator.graphs.denoiser)).toMatch(/^cuebank\.json is invalid: generator\.graphs\.denoiser: /);
    expect(reason((m) => (m.generator.graphs.decoder.file = '../decoder.onnx'))).toMatch(/generator\.graphs\.decoder\.file: must stay inside the pack/);
    expect(reason((m) => (m.generator.latent.channels = 0))).toMatch(/generator\.latent\.channels: /);
    expect(reason((m) => (m.generator.prediction = 'noise'))).toMatch(/generator\.prediction: /);
    expect(reason((m) => (m.generator.sampler = 'dpmpp'))).toMatch(/generator\.sampler: /);
  });

  it('finds names that resolve to nothing, and inconsistent settings', () => {
    expect(reason((m) => (m.generator.graphs.denoiser.inputs.cross_attn_cond = 'cross_attention'))).toMatch(
      /generator\.graphs\.denoiser\.inputs\.cross_attn_cond: no value "cross_attention" at this point/,
    );
    // The decoder cannot read conditioning values: it only sees the latent.
    expect(reason((m) => (m.generator.graphs.decoder.inputs.extra = 'global_cond'))).toMatch(/decoder\.inputs\.extra: no value "global_cond"/);
    expect(reason((m) => (m.generator.graphs.denoiser.outputs = { output: 'velocity' }))).toMatch(/denoiser\.outputs: one output must map to "prediction"/);
    expect(reason((m) => (m.generator.values.loop = { concat: ['loop'], axis: 0 }))).toMatch(/generator\.values\.loop: depends on unknown values or on itself/);
    expect(reason((m) => (m.generator.values.x = { reshape: 't5_hidden', shape: [-1] }))).toMatch(/generator\.values\.x: "x" is already a runtime value/);
    expect(reason((m) => (m.generator.process = 'cosine'))).toMatch(/"velocity" needs process "rectified-flow"/);
    expect(reason((m) => (m.generator.samplers = ['euler']))).toMatch(/generator\.sampler: "pingpong" is not in generator\.samplers/);
    expect(
      reason((m) => {
        m.generator.graphs.denoiser.inputs.audio_cond = 'audio_cond';
        m.generator.graphs.denoiser.inputs.audio_cond_strength = 'audio_cond_strength';
        delete m.generator.graphs.encoder;
      }),
    ).toMatch(/takes audio_cond but the pack has neither an encoder nor a referenceEncoder/);
    expect(reason((m) => (m.generator.graphs.denoiser.inputs.audio_cond = 'audio_cond'))).toMatch(/audio_cond and audio_cond_strength go together/);
  });

  it('wants the role, format and audio section of a generator pack', () => {
    expect(reason((m) => (m.format = 'something-else'))).toMatch(new RegExp(`must have format "${GENERATOR_FORMAT}"`));
    expect(reason((m) => delete m.audio.channels)).toMatch(/must give audio\.sampleRate and audio\.channels/);
    expect(reason((m) => delete m.generator)).toMatch(/has no "generator" section/);
  });
});

describe('generator pack discovery', () => {
  let root: string;
  beforeAll(() => {
    root = tempDir('generator-manifest');
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('lists a generator pack next to others, and reports one whose graph file is missing', async () => {
    const models = path.join(root, 'models');
    writeGeneratorPack(models);
    const broken = writeGeneratorPack(models, 'broken-generator');
    fs.rmSync(path.join(broken, 'onnx', 'decoder.onnx'));
    const { packs, problems } = await findGeneratorPacks(models);
    expect(packs.map((p) => [p.id, p.role, p.format, p.dtypes])).toEqual([[GENERATOR_PACK_ID, 'generator', GENERATOR_FORMAT, ['fp32']]]);
    expect(problems).toHaveLength(1);
    expect(problems[0].error).toMatch(/^Model pack "broken-generator": missing onnx\/decoder\.onnx/);
    // The general discovery sees the same.
    const all = await discoverPacks(models);
    expect(all.packs.map((p) => p.id)).toEqual([GENERATOR_PACK_ID]);
  });

  it('keeps an optional graph optional: a Stable Audio export without an encoder file is complete', () => {
    const dir = path.join(root, 'sao');
    const spec = parseGeneratorSpec(parse(saoJson()));
    const required = ['tokenizer/tokenizer.json', 'tokenizer/tokenizer_config.json', 'onnx/text_encoder.onnx', 'onnx/number_conditioner.onnx', 'onnx/dit.onnx', 'onnx/decoder.onnx'];
    for (const f of required) {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.writeFileSync(path.join(dir, f), 'x');
    }
    expect(generatorFiles(dir, spec).sort()).toEqual([...required].sort());
    expect(() => inspectGeneratorPack(dir, parse(saoJson()))).not.toThrow();
    fs.writeFileSync(path.join(dir, 'onnx', 'encoder.onnx'), 'x');
    expect(generatorFiles(dir, spec)).toContain('onnx/encoder.onnx');
    fs.rmSync(path.join(dir, 'onnx', 'dit.onnx'));
    expect(() => inspectGeneratorPack(dir, parse(saoJson()))).toThrow(/missing onnx\/dit\.onnx, named in cuebank\.json/);
  });
});
