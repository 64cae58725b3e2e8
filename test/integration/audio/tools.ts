import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Whether a command-line tool runs here (ffmpeg/ffprobe are installed in CI via apt). */
export function hasTool(name: string): boolean {
  const r = spawnSync(name, ['-version'], { stdio: 'ignore' });
  return r.status === 0;
}

export function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

export function ffmpeg(args: string[]): void {
  run('ffmpeg', ['-v', 'error', '-y', ...args]);
}

export interface Probe {
  streams: Record<string, unknown>[];
  format: { tags?: Record<string, string> } & Record<string, unknown>;
}

export function ffprobe(file: string): Probe {
  return JSON.parse(run('ffprobe', ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', file])) as Probe;
}

let dir: string | null = null;
/** A temp folder under os.tmpdir(); removeTempDir() (in afterAll) deletes it. */
export function tempDir(): string {
  dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'cuebank-codecs-'));
  return dir;
}

export function removeTempDir(): void {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = null;
}
