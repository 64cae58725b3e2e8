import {
  ExportSettingsSchema,
  type ExportFormatValue,
  type ExportSettings,
} from '../../../preload/contract/projects';
import type { ExportDefaults } from '../config';
import { CuebankError } from '../errors';

/** A project's export settings before anyone changed them: the `export` section of the settings. */
export function defaultExportSettings(d: ExportDefaults): ExportSettings {
  return ExportSettingsSchema.parse({
    format: formatFromDefaults(d.format, d),
    sampleRate: d.sampleRate,
    channels: d.channels,
    trimSilenceDb: d.trimSilence ? d.silenceThresholdDb : null,
    fadeIn: d.fadeIn,
    fadeOut: d.fadeOut,
    normalize:
      d.normalize === 'peak'
        ? { mode: 'peak', peakDb: d.peakDb }
        : d.normalize === 'loudness'
          ? { mode: 'loudness', lufs: d.lufs, truePeakDb: d.truePeakDb }
          : { mode: 'none' },
    variations: { count: 0, amount: d.variationAmount, seed: 1 },
    creatorId: d.creatorId,
    sourceId: d.sourceId,
    designer: null,
    library: null,
    fxNameMaxLength: d.fxNameMaxLength,
  });
}

export function formatFromDefaults(container: 'wav' | 'flac' | 'ogg', d: ExportDefaults): ExportFormatValue {
  if (container === 'wav') return { container, sample: d.wavSample };
  if (container === 'flac') return { container, bits: d.flacBits };
  return { container, quality: d.oggQuality };
}

/** Settings with some fields replaced; the result is validated as a whole. */
export function mergeExportSettings(base: ExportSettings, patch: Partial<ExportSettings> | undefined): ExportSettings {
  if (!patch) return base;
  const merged = { ...base, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) };
  const parsed = ExportSettingsSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CuebankError('invalid_input', `Invalid export settings: ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

/** Bits per sample a format stores (null for lossy). */
export function formatBits(format: ExportFormatValue): number | null {
  if (format.container === 'wav') return format.sample === 'pcm16' ? 16 : format.sample === 'pcm24' ? 24 : 32;
  if (format.container === 'flac') return format.bits;
  return null;
}

/** Short label of an encoding for manifests: pcm24, float32, flac16, vorbis q0.5. */
export function encodingLabel(format: ExportFormatValue): string {
  if (format.container === 'wav') return format.sample;
  if (format.container === 'flac') return `flac${format.bits}`;
  return `vorbis q${format.quality}`;
}
