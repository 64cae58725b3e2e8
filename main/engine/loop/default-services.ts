/**
 * The engine's real loop services: the ONNX generator runtime, the rule-based decomposer, the CLAP
 * and LALM critics, and retrieval from the indexed library.
 */
import { findGeneratorPacks, loadGenerator } from '../models/generator';
import { createCritic } from './critics';
import { createDecomposer } from './decompose';
import { createRetriever } from './retrieve';
import type { GenerateServices } from './services';

export const defaultGenerateServices: GenerateServices = {
  findGenerators: findGeneratorPacks,
  loadGenerator: (pack, options) => loadGenerator(pack, { executionProviders: options.executionProviders }),
  decomposer: createDecomposer,
  // The CLAP critic never reads the library: its verdicts must not depend on what else it holds.
  clapCritic: (embedder, { config }) => createCritic({ id: 'clap', settings: config.critic, embedder }),
  lalmCritic: (url, { config }) => createCritic({ id: 'lalm', settings: config.critic, url }),
  retriever: (search, { config }) => createRetriever(search, config.retrieve),
};
