import fs from 'node:fs';
import path from 'node:path';
import { conceptOfWord, words, type ConceptId } from '../../fixtures/semantics';

/** Pack folders in a models folder, by the role their cuebank.json names ('embedder' for a Xenova CLAP pack without one). */
export function packDirsByRole(modelsDir: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const name of fs.readdirSync(modelsDir)) {
    const dir = path.join(modelsDir, name);
    if (!fs.statSync(dir).isDirectory()) continue;
    let role: string | null = null;
    const manifest = path.join(dir, 'cuebank.json');
    if (fs.existsSync(manifest)) role = JSON.parse(fs.readFileSync(manifest, 'utf8')).role ?? null;
    else if (fs.existsSync(path.join(dir, 'config.json'))) role = 'embedder';
    if (role) out.set(role, [...(out.get(role) ?? []), dir]);
  }
  return out;
}

/** A models folder holding only the packs of the given roles (copies), e.g. to leave the CLAP pack out. */
export function modelsWith(modelsDir: string, roles: string[], dest: string): string {
  fs.mkdirSync(dest, { recursive: true });
  for (const [role, dirs] of packDirsByRole(modelsDir)) {
    if (!roles.includes(role)) continue;
    for (const d of dirs) fs.cpSync(d, path.join(dest, path.basename(d)), { recursive: true });
  }
  return dest;
}

export interface FixturePrompts {
  events: string[];
  prompts: string[];
}

export function readPrompts(outDir: string): FixturePrompts {
  return JSON.parse(fs.readFileSync(path.join(outDir, 'prompts.json'), 'utf8')) as FixturePrompts;
}

/** The fixture concept an event's text names (its first concept word). */
export function conceptOfText(text: string): ConceptId | null {
  for (const w of words(text)) {
    const c = conceptOfWord(w);
    if (c) return c.id;
  }
  return null;
}
