/**
 * The engine's real loop services: the ONNX generator runtime, the rule-based decomposer, the CLAP
 * and LALM critics, and retrieval from the indexed library.
 */
import { findGeneratorPacks, loadGenerator } from '../models/generator';
import { createCritic, libraryReferenceVectors } from './critics';
import { createDecomposer } from './decompose';
import { createRetriever } from './retrieve';
import type { GenerateServices } from './services';

export const defaultGenerateServices: GenerateServices = {
  findGenerators: findGeneratorPacks,
  loadGenerator: (pack, options) => loadGenerator(pack, { executionProviders: options.executionProviders }),
  decomposer: createDecomposer,
  clapCritic: (embedder, { config, db, spaces }) =>
    createCritic({
      id: 'clap',
      settings: config.critic,
      embedder,
      libraryVectors: () => libraryReferenceVectors(db, spaces, embedder.space, config.critic.clap.libraryWindows),
    }),
  lalmCritic: (url, { config }) => createCritic({ id: 'lalm', settings: config.critic, url }),
  retriever: (search, { config }) => createRetriever(search, config.retrieve),
};
