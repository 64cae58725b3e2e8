/** Text-to-audio generator packs: manifest, loader, samplers. */
export type { ConditioningReference, GenerateRequest, Generator, GeneratorCapabilities, SamplerName } from './types';
export {
  dataFlowProblems,
  GENERATOR_FORMAT,
  GeneratorSectionSchema,
  generatorFiles,
  inspectGeneratorPack,
  parseGeneratorSpec,
  RUNTIME_VALUES,
  type GeneratorSection,
  type GeneratorSpec,
} from './manifest';
export { findGeneratorPacks, loadGenerator, type LoadGeneratorOptions } from './loader';
export { OnnxGenerator } from './pipeline';
export { sample, type DenoiseFn, type SampleOptions } from './samplers';
export { combineGuidance, guided } from './cfg';
export { COSINE, RECTIFIED_FLOW, mix, processByName, splitPrediction, timesteps, type DiffusionProcess, type PredictionKind } from './process';
export { GaussianNoise } from './rng';
