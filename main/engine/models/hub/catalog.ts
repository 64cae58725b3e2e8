import fs from 'node:fs';
import { z } from 'zod';
import { CuebankError } from '../../errors';
import bundledCatalog from '../../../../resources/model-catalog.json';

/** A path inside a pack as the hub names it: relative, "/" separated, never leaving the pack. */
const RepoPath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.includes('\\') && p.split('/').every((s) => s !== '' && s !== '.' && s !== '..'), 'must be a relative path inside the repository');

const CatalogFileSchema = z.object({
  path: RepoPath,
  /** Exact size in bytes when pinned; otherwise the hub's x-linked-size / Content-Length is used. */
  size: z.number().int().nonnegative().optional(),
  /** The hub listing's rounded size, for showing before anything is asked of the hub. */
  approxBytes: z.number().int().nonnegative().optional(),
  /** Pinned SHA-256; otherwise the hub's LFS sha256 (x-linked-etag) is the reference. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
});
export type CatalogFile = z.infer<typeof CatalogFileSchema>;

const PackId = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" and "-"');

export const CatalogPackSchema = z.object({
  /** Also the folder name the pack gets inside the models folder. */
  id: PackId,
  role: z.enum(['embedder', 'generator', 'critic', 'captioner']),
  format: z.string().min(1),
  name: z.string().min(1),
  /** Hugging Face repository id, "owner/name". */
  repo: z.string().regex(/^[A-Za-z0-9][\w.-]*\/[\w.-]+$/, 'must be "owner/name"'),
  /** A commit (pinned) or a branch; a branch is resolved to the commit the hub reports (X-Repo-Commit) at download time. */
  revision: z.string().min(1),
  revisionPinned: z.boolean(),
  license: z.string().min(1),
  description: z.string().min(1),
  defaultDtype: z.string().min(1),
  /** Files every dtype needs (configs, tokenizer). */
  files: z.array(CatalogFileSchema).min(1),
  /** Weight files per dtype (q8, fp16, fp32, …). */
  dtypes: z.record(z.string().min(1), z.array(CatalogFileSchema).min(1)),
});
export type CatalogPack = z.infer<typeof CatalogPackSchema>;

export const CatalogSchema = z
  .object({
    $comment: z.string().optional(),
    catalogVersion: z.literal(1),
    /** The pack offered first for a role (the first-run offer). */
    recommended: z.record(z.string(), z.string()),
    packs: z.array(CatalogPackSchema),
    /** Roles Cuebank does not download, and what the screen tells the user instead. */
    notDownloadable: z.array(z.object({ role: z.string(), howToAdd: z.string().min(1) })),
  })
  .superRefine((c, ctx) => {
    const ids = new Set<string>();
    for (const [i, p] of c.packs.entries()) {
      if (ids.has(p.id)) ctx.addIssue({ code: 'custom', path: ['packs', i, 'id'], message: `duplicate id "${p.id}"` });
      ids.add(p.id);
      if (!p.dtypes[p.defaultDtype]) ctx.addIssue({ code: 'custom', path: ['packs', i, 'defaultDtype'], message: `no files for dtype "${p.defaultDtype}"` });
    }
    for (const [role, id] of Object.entries(c.recommended)) {
      if (!c.packs.some((p) => p.id === id && p.role === role)) ctx.addIssue({ code: 'custom', path: ['recommended', role], message: `no ${role} pack "${id}"` });
    }
  });
export type Catalog = z.infer<typeof CatalogSchema>;

/** Parses a catalog; throws CuebankError naming the first problem. */
export function parseCatalog(json: unknown, source = 'model catalog'): Catalog {
  const parsed = CatalogSchema.safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new CuebankError('invalid_input', `The ${source} is invalid: ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  return parsed.data;
}

/** The catalog shipped in resources/, or the file a studio (or a test) points `models.catalogPath` at. */
export function loadCatalog(file?: string | null): Catalog {
  if (!file) return parseCatalog(bundledCatalog, 'bundled model catalog');
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CuebankError('invalid_input', `Cannot read the model catalog ${file}: ${(err as Error).message}`);
  }
  return parseCatalog(json, `model catalog ${file}`);
}

export function findCatalogPack(catalog: Catalog, id: string): CatalogPack {
  const pack = catalog.packs.find((p) => p.id === id);
  if (!pack) throw new CuebankError('not_found', `No pack "${id}" in the model catalog (known: ${catalog.packs.map((p) => p.id).join(', ') || 'none'})`);
  return pack;
}

/** Every file a download of `dtype` fetches: the shared files, then that dtype's weights. */
export function packFiles(pack: CatalogPack, dtype: string = pack.defaultDtype): CatalogFile[] {
  const weights = pack.dtypes[dtype];
  if (!weights) {
    throw new CuebankError('invalid_input', `Pack "${pack.id}" has no dtype "${dtype}" (it has ${Object.keys(pack.dtypes).join(', ')})`);
  }
  return [...pack.files, ...weights];
}
