import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CuebankError } from '../errors';

/** File name of Cuebank's own (optional) manifest inside a pack folder. */
export const MANIFEST_FILE = 'cuebank.json';

/** A path inside the pack: relative, forward slashes, never leaving the pack folder. */
const PackPath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !/^[a-zA-Z]:/.test(p) && !p.includes('\\'), 'must be a relative path with "/"')
  .refine((p) => p.split('/').every((part) => part !== '' && part !== '.' && part !== '..'), 'must stay inside the pack');

const Sha256 = z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits');

/** Input and output tensor names of one graph, keyed in `io` by the graph's file stem (e.g. "text_model"). */
const GraphIo = z.object({
  inputs: z.array(z.string().min(1)),
  outputs: z.array(z.string().min(1)),
});

/**
 * cuebank.json. Every pack role shares the top-level fields; what only one role needs lives in an
 * optional section named after it (`embedder`, `generator`, `critic`, `captioner`), so a new role
 * adds a section without touching the others. Unknown keys are kept (a newer Cuebank may write
 * more), never rejected.
 */
export const ManifestSchema = z.looseObject({
  /** Manifest format version. */
  manifestVersion: z.literal(1).default(1),
  role: z.enum(['embedder', 'generator', 'critic', 'captioner']),
  name: z.string().min(1),
  licence: z.string().min(1),
  /** How the pack's files are laid out and run, e.g. "xenova-clap". Detected when absent. */
  format: z.string().min(1).optional(),
  description: z.string().optional(),
  /** Where the weights come from (hub id or URL), for the model manager and the credits. */
  source: z.string().optional(),
  version: z.string().optional(),
  /** Weight variant used when the user has not chosen one: fp32, fp16, q8, ... */
  dtype: z.string().min(1).optional(),
  /** SHA-256 of pack files, by path relative to the pack folder; verified when the pack loads. */
  sha256: z.record(PackPath, Sha256).default({}),
  /** Tensor names per graph; checked against the graph when it loads. */
  io: z.record(z.string().min(1), GraphIo).optional(),
  /** Audio the pack consumes or produces. */
  audio: z
    .object({
      sampleRate: z.number().int().positive(),
      channels: z.number().int().positive().optional(),
      /** Longest audio one embedding or one generated take covers. */
      windowSeconds: z.number().positive().optional(),
    })
    .optional(),
  embedder: z.looseObject({ dim: z.number().int().positive().optional() }).optional(),
  /** For text-to-audio packs: latent shape, sampler and its defaults. */
  generator: z
    .looseObject({
      latentShape: z.array(z.number().int()).optional(),
      sampler: z.string().optional(),
      steps: z.number().int().positive().optional(),
      maxSeconds: z.number().positive().optional(),
    })
    .optional(),
  critic: z.looseObject({ kind: z.string().optional() }).optional(),
  captioner: z.looseObject({ maxTokens: z.number().int().positive().optional() }).optional(),
});

export type Manifest = z.infer<typeof ManifestSchema>;
export type ManifestInput = z.input<typeof ManifestSchema>;

/** Reads and validates cuebank.json; throws CuebankError with a one-line reason. */
export function readManifest(packDir: string): Manifest {
  const file = path.join(packDir, MANIFEST_FILE);
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CuebankError('model_error', `${MANIFEST_FILE} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  const parsed = ManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 3)
      .map((i) => {
        // A bad record key (a sha256 path) carries its reason one level down.
        if (i.code === 'invalid_key' && i.issues?.[0]) {
          return `${i.path.slice(0, -1).join('.')}: key "${String(i.path[i.path.length - 1])}" ${i.issues[0].message}`;
        }
        return `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`;
      })
      .join('; ');
    throw new CuebankError('model_error', `${MANIFEST_FILE} is invalid: ${issues}`);
  }
  return parsed.data;
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Files already verified, by path, with the size and mtime they had: a pack reloads without rehashing. */
const verified = new Map<string, { size: number; mtimeMs: number; sha256: string }>();

/**
 * Checks the SHA-256 of the given pack files (paths relative to the pack) against the manifest.
 * Files the manifest does not list are not checked. Throws CuebankError naming the first file
 * that is missing or differs.
 */
export async function verifyPackFiles(packDir: string, manifest: Manifest, files?: string[]): Promise<void> {
  const wanted = files ?? Object.keys(manifest.sha256);
  for (const rel of wanted) {
    const expected = manifest.sha256[rel]?.toLowerCase();
    if (!expected) continue;
    const file = path.join(packDir, ...rel.split('/'));
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      throw new CuebankError('model_error', `Model pack "${path.basename(packDir)}" is missing ${rel}, which ${MANIFEST_FILE} lists.`);
    }
    const known = verified.get(file);
    if (known && known.size === stat.size && known.mtimeMs === stat.mtimeMs && known.sha256 === expected) continue;
    const actual = await sha256File(file);
    if (actual !== expected) {
      throw new CuebankError(
        'model_error',
        `Model pack "${path.basename(packDir)}": ${rel} does not match its checksum in ${MANIFEST_FILE} ` +
          `(expected sha256 ${expected.slice(0, 12)}…, found ${actual.slice(0, 12)}…). ` +
          'The file is damaged or was replaced; copy the pack again.',
      );
    }
    verified.set(file, { size: stat.size, mtimeMs: stat.mtimeMs, sha256: expected });
  }
}
