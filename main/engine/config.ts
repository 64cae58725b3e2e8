import path from 'node:path';
import defaults from '../../resources/default-settings.json';

/**
 * The engine's one configuration surface. Hosts (Electron app, web bridge, CLI, tests) build an
 * EngineConfig; everything not given comes from resources/default-settings.json. README.md
 * ("Configuration") documents every field.
 */
export interface EngineConfig {
  /** The workspace database file (created if missing). */
  dbPath: string;
  /** Folder holding model packs, one folder per pack. */
  modelsDir: string;
  /**
   * Folder for files the app itself writes (generated takes, project audio); default: next to the
   * database, `<db name>-files/`. Never inside a library folder.
   */
  dataDir?: string;
  index?: Partial<IndexSettings>;
  search?: Partial<SearchSettings>;
  models?: Partial<ModelSettings>;
}

export interface IndexSettings {
  /** Seconds between embedding windows of long sounds; null means back-to-back windows of the model's length. */
  hopSeconds: number | null;
  /** Files per database transaction: a crash loses at most this many files' work. */
  transactionFiles: number;
  /** Windows per model call. */
  embedBatchWindows: number;
  /** Follow symbolic links to folders (each real folder is visited once). */
  followSymlinks: boolean;
}

export interface SearchSettings {
  defaultLimit: number;
  /** W in S = W·S_audio + (1−W)·S_text when a query has both a sound and text. */
  pairWeight: number;
  /** Weight of name/metadata keyword matches added to the text similarity. */
  keywordWeight: number;
  /** Vector candidates fetched per requested result before grouping windows by file and filtering. */
  candidateFactor: number;
}

export interface ModelSettings {
  /** ONNX weight variant: fp32, fp16, q8, ... (picks onnx/<model><suffix>.onnx); null: the pack's default. */
  dtype: string | null;
  /** Preferred execution providers in order; null picks per platform with CPU last. */
  executionProviders: string[] | null;
}

export interface ResolvedConfig {
  dbPath: string;
  modelsDir: string;
  dataDir: string;
  index: IndexSettings;
  search: SearchSettings;
  models: ModelSettings;
}

export function resolveConfig(config: EngineConfig): ResolvedConfig {
  return {
    dbPath: config.dbPath,
    modelsDir: config.modelsDir,
    dataDir: config.dataDir ?? defaultDataDir(config.dbPath),
    index: { ...(defaults.index as IndexSettings), ...config.index },
    search: { ...(defaults.search as SearchSettings), ...config.search },
    models: { ...(defaults.models as ModelSettings), ...config.models },
  };
}

function defaultDataDir(dbPath: string): string {
  const abs = path.resolve(dbPath);
  return path.join(path.dirname(abs), `${path.basename(abs, path.extname(abs))}-files`);
}
