import type { Migration } from '../migration';
import { migration001 } from './001_library';
import { migration002 } from './002_jobs';
import { migration003 } from './003_projects';
import { migration004 } from './004_generate';
import { migration005 } from './005_runner_pids';
import { migration006 } from './006_loop_changes';
import { migration007 } from './007_tags';
import { migration008 } from './008_knowledge_base';

/** Every migration, in order. Add new ones as their own file and append them here. */
export const migrations: readonly Migration[] = [
  migration001,
  migration002,
  migration003,
  migration004,
  migration005,
  migration006,
  migration007,
  migration008,
];
