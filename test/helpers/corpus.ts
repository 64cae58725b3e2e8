import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './cli';

/** Real audio nobody on the project wrote: ../shared/corpus beside the checkout (absent in some clones). */
export const corpusDir = path.resolve(repoRoot, '..', 'shared', 'corpus');
export const hasCorpus = fs.existsSync(corpusDir);
export const hasFfprobe = spawnSync('ffprobe', ['-version']).status === 0;

export function corpusFiles(): string[] {
  if (!hasCorpus) return [];
  return fs
    .readdirSync(corpusDir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(wav|ogg)$/i.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

export interface Probe {
  streams: { codec_name: string; sample_rate: string; channels: number; bits_per_sample?: number; bits_per_raw_sample?: string; duration_ts?: number; duration?: string }[];
  format: { tags?: Record<string, string> };
}

export function ffprobe(file: string): Probe {
  const r = spawnSync('ffprobe', ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffprobe failed on ${file}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Probe;
}
