/** Model packs: discovery, manifests, execution providers and the CLAP embedder. */
export type { Embedder, PackRole, StageTimings } from './types';
export {
  availableDtypes,
  CLAP_FORMAT,
  discoverPacks,
  DTYPE_SUFFIX,
  findEmbedderPack,
  inspectPack,
  NO_CLAP_PACK_MESSAGE,
  noClapPackMessage,
  type ClapPackAudio,
  type PackInfo,
  type PackProblem,
} from './packs';
export { MANIFEST_FILE, ManifestSchema, readManifest, sha256File, verifyPackFiles, type Manifest, type ManifestInput } from './manifest';
export { loadEmbedder, type ClapEmbedder, type LoadEmbedderOptions } from './clap';
export { FastClapFeatures } from './clap-features';
export { fallbackNotice, platformProviders, providerLabel, providerPlan, startWithFallback, supportedBackends, type ExecutionProvider } from './providers';
