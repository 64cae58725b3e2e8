/**
 * Text-to-audio generation behind one interface. A pack is described by its manifest (cuebank.json,
 * role "generator"): text encoder, denoiser, latent decoder, optional latent encoder and optional
 * audio-conditioning input, with IO names and shapes. The runtime reads the manifest; no pack needs code.
 */
import type { DecodedAudio } from '../../audio/types';

export type SamplerName = 'euler' | 'pingpong';

export interface GeneratorCapabilities {
  /** Output rate and channel count of the decoder (e.g. 44100, 2 for Stable Audio Open Small). */
  readonly sampleRate: number;
  readonly channels: number;
  /** Longest take the pack can render in one pass, seconds. */
  readonly maxSeconds: number;
  /** The denoiser has an audio-conditioning input (seed 000's "audio fuser"): strategy "adapter". */
  readonly audioConditioning: boolean;
  /** The pack has a latent encoder: strategy "audio2audio". */
  readonly audioToAudio: boolean;
  readonly samplers: readonly SamplerName[];
  readonly defaultSteps: number;
  readonly defaultCfgScale: number;
}

/** A reference sound placed on the take's timeline, fed to the audio-conditioning input. */
export interface ConditioningReference {
  readonly audio: DecodedAudio;
  /** Where on the take the reference belongs, seconds. */
  readonly start: number;
  /** λ: how strongly the reference features are added to the conditioning (0..1+). */
  readonly strength: number;
}

export interface GenerateRequest {
  readonly prompt: string;
  readonly negativePrompt?: string;
  readonly seconds: number;
  readonly seed: number;
  readonly steps?: number;
  readonly cfgScale?: number;
  readonly sampler?: SamplerName;
  /** Strategy "adapter": needs capabilities.audioConditioning. */
  readonly references?: readonly ConditioningReference[];
  /** Strategy "audio2audio": start from the encoded audio, keeping (1 - strength) of it. Needs audioToAudio. */
  readonly init?: { readonly audio: DecodedAudio; readonly strength: number };
  /** Checked between sampler steps; an abort rejects with CuebankError('cancelled'). */
  readonly signal?: AbortSignal;
  readonly onStep?: (step: number, total: number) => void;
}

export interface Generator {
  /** Pack id (folder name or manifest id). */
  readonly id: string;
  readonly capabilities: GeneratorCapabilities;
  generate(request: GenerateRequest): Promise<DecodedAudio>;
  dispose(): Promise<void>;
}
