import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { measureLoudness } from '../../../main/engine/audio/loudness';
import { idleDecoders } from '../../../main/engine/audio/decoders';
import { decodeFile } from '../../../main/engine/audio/read';
import { encodeAudio } from '../../../main/engine/export/encode/index';
import { lossyLoudnessCorrection } from '../../../main/engine/export/lossy-loudness';
import { fullMetadata, noise, removeTemp, tempFile } from './encode-signals';

afterAll(removeTemp);

describe('lossyLoudnessCorrection', () => {
  it('measures the encoded Ogg Vorbis exactly as the file decoder reads it back, without writing a file', async () => {
    // Long enough (several feeds of encoded bytes) that the in-memory decode is fed in pieces.
    const audio = noise(48_000, 2, 16, 0.5);
    const bytes = await encodeAudio(audio, { container: 'ogg', quality: 1 }, fullMetadata());
    expect(bytes.length).toBeGreaterThan(512 * 1024);
    const file = tempFile('lossy-loudness.ogg');
    fs.writeFileSync(file, bytes);
    const decoded = measureLoudness((await decodeFile(file)).audio).integrated!;

    const target = decoded - 3;
    expect(await lossyLoudnessCorrection(bytes, target)).toBe(target - decoded);
    expect(await lossyLoudnessCorrection(bytes, decoded + 0.2)).toBe(decoded + 0.2 - decoded);
    // Within 0.05 LU of the target: no second encode.
    expect(await lossyLoudnessCorrection(bytes, decoded + 0.04)).toBe(0);
    expect(idleDecoders()).toContain('vorbis');
  });

  it('asks for no correction when the encoded audio has no gated loudness', async () => {
    const silent = { sampleRate: 48_000, channels: [new Float32Array(48_000 * 2)] };
    const bytes = await encodeAudio(silent, { container: 'ogg', quality: 0.5 }, fullMetadata());
    expect(await lossyLoudnessCorrection(bytes, -23)).toBe(0);
  });
});
