#!/usr/bin/env node
// The `cuebank` command: the built CLI when there is one (npm run build), otherwise the
// TypeScript source through tsx, so both run the very same code.
import fs from 'node:fs';
import path from 'node:path';

const built = path.join(import.meta.dirname, '..', 'dist', 'cli.mjs');
if (fs.existsSync(built)) {
  await import(built);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../main/cli/index.ts');
}
