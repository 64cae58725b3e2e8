/** Roles a model pack can play; a pack declares exactly one. */
export type PackRole = 'embedder' | 'generator' | 'critic' | 'captioner';

/** Time spent per stage, accumulated across calls (milliseconds). Benchmarks read it. */
export interface StageTimings {
  [stage: string]: number;
}

/**
 * A joint audio-text embedding model (CLAP). Vectors are L2-normalised, so cosine similarity is
 * a dot product and text and audio vectors are comparable.
 */
export interface Embedder {
  /** Identifies the vector space: pack id plus dtype, e.g. "clap-htsat-unfused@q8". */
  readonly space: string;
  readonly dim: number;
  /** Rate the audio passed to embedAudio must have. */
  readonly sampleRate: number;
  /** Longest audio one embedding covers; longer sounds are embedded as several windows. */
  readonly windowSeconds: number;
  /** Highest frequency the model looks at: resampling for it may give up fidelity above this (Hz). */
  readonly maxFrequency: number;
  embedText(texts: string[]): Promise<Float32Array[]>;
  /** Each window is mono at `sampleRate`, at most `windowSeconds` long. Timings gets 'features' and 'model'. */
  embedAudio(windows: Float32Array[], timings?: StageTimings): Promise<Float32Array[]>;
  dispose(): Promise<void>;
}
