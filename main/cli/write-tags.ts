import fs from 'node:fs';
import type { TagWritePlan, TagWriteSummary } from '../../preload/contract/tag-write';
import { CuebankError } from '../engine/errors';
import type { CliContext } from './projects';

const out = (text: string): void => void process.stdout.write(`${text}\n`);
const quote = (v: string | null) => (v === null ? '(none)' : JSON.stringify(v));

/**
 * `cuebank write-tags <file|folder>... --db <file> [--dry-run] [--backup] [--json]`: writes the
 * accepted tags of the named library files into them; --dry-run prints the plan and writes nothing.
 * Exit status 1 when any file failed (its original is untouched).
 */
export async function runWriteTags(
  paths: string[],
  args: { db?: string; json: boolean; 'dry-run'?: boolean; backup?: boolean },
  cli: CliContext,
): Promise<number> {
  if (!paths.length) throw cli.usage('write-tags needs at least one file or folder');
  if (!args.db || !fs.existsSync(args.db)) throw new CuebankError('not_found', `No library database at ${args.db ?? '(none)'}: run cuebank index first`);
  return cli.withEngine(async (engine) => {
    if (args['dry-run']) {
      const plan = await engine.call('tagging.writePlan', { paths });
      if (args.json) out(JSON.stringify(plan, null, 2));
      else printPlan(plan);
      return 0;
    }
    const summary = await engine.call('tagging.write', { paths, backup: args.backup ?? false });
    if (args.json) out(JSON.stringify(summary, null, 2));
    else printSummary(summary);
    return summary.failed.length ? 1 : 0;
  });
}

function printPlan(plan: TagWritePlan): void {
  for (const f of plan.files) {
    out(`${f.path}${f.format ? ` (${f.format})` : ''}`);
    if (f.refusal) out(`  refused: ${f.refusal}`);
    if (!f.changes.length && !f.refusal) out('  already holds these tags');
    for (const c of f.changes) out(`  ${c.field}: ${c.note ? `${quote(c.before)} ${c.note}` : `${quote(c.before)} → ${quote(c.after)}`}`);
  }
  for (const s of plan.skipped) out(`skipped: ${s.path}: ${s.reason}`);
}

function printSummary(s: TagWriteSummary): void {
  for (const w of s.written) out(`written: ${w.path} (${w.fields.filter((f) => !f.note).length} fields${w.backup ? `, backup ${w.backup}` : ''})`);
  for (const k of s.skipped) out(`skipped: ${k.path}: ${k.reason}`);
  for (const f of s.failed) out(`failed: ${f.path}: ${f.error}`);
  out(`${s.written.length} written, ${s.skipped.length} skipped, ${s.failed.length} failed`);
}
