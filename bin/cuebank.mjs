#!/usr/bin/env node
// The `cuebank` command: runs the TypeScript CLI through tsx's loader, so the installed command
// and `npm run cuebank` run the very same code.
import { register } from 'tsx/esm/api';

register();
await import('../main/cli/index.ts');
