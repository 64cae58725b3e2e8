/**
 * The whole tree type-checks: engine, hosts, preload (DOM lib) and the Svelte renderer.
 * Bundlers strip types without checking them, so this is the only place a type error is caught.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, test } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');

test('tsc and svelte-check report no errors', () => {
  const r = spawnSync('npm', ['run', '--silent', 'typecheck'], { cwd: root, encoding: 'utf8', timeout: 240_000 });
  const output = `${r.stdout}\n${r.stderr}`;
  expect(output).not.toMatch(/error TS\d+/);
  expect(r.status, output).toBe(0);
}, 300_000);
