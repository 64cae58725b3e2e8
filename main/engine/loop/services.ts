/**
 * What the loop needs from the model and retrieval layers, behind one seam: the engine wires the
 * real ones (defaultGenerateServices), benchmarks and tests may wire others.
 */
import type { ResolvedConfig } from '../config';
import type { Db } from '../db/open';
import type { SearchDeps } from '../library/search';
import type { VectorSpaces } from '../library/spaces';
import type { Embedder } from '../models/types';
import type { DecomposerChoice } from './decompose';
import type { GeneratorFinder, GeneratorLoader } from './generator-slot';
import type { RetrieveFn } from './orchestrator';
import type { Critic, EventDecomposer } from './types';

/** What critics and retrieval may read: settings and the library (its stored vectors). */
export interface ServiceContext {
  config: ResolvedConfig;
  db: Db;
  spaces: VectorSpaces;
}

export interface GenerateServices {
  findGenerators: GeneratorFinder;
  loadGenerator: GeneratorLoader;
  /** The decomposer of a generate request (decomposerChoice); no choice: the rules. */
  decomposer(choice?: DecomposerChoice): EventDecomposer;
  clapCritic(embedder: Embedder, context: ServiceContext): Critic;
  lalmCritic(url: string, context: ServiceContext): Critic;
  retriever(search: SearchDeps, context: ServiceContext): RetrieveFn;
}
