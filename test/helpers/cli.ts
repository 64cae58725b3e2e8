import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..');
const entry = path.join(repoRoot, 'main', 'cli', 'index.ts');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the cuebank CLI as a user would (a separate process), returning its exit status and output. */
export function runCli(args: string[]): CliResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', entry, ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function startCli(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', entry, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
}
