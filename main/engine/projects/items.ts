import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  ItemFieldsSchema,
  type AddItems,
  type ItemFields,
  type ItemSourceInput,
  type ItemSourceKind,
  type ItemVersion,
  type ProjectItem,
} from '../../../preload/contract/projects';
import { readMeta } from '../audio/read';
import type { Db } from '../db/open';
import { CuebankError } from '../errors';
import type { ProjectStore } from './store';
import type { UcsCatalogue } from '../ucs/catalogue';

/**
 * Items of projects. A library pick references the library file (by index id, so it follows a move
 * the index saw; the file is only ever read). Generated takes and files from outside the library are
 * copied into the project folder when added: the take may be deleted with its generation and an
 * outside file may move, and the project must still export. `copyLibraryFiles` copies library picks
 * too, for a project that must travel without the library.
 */

interface ItemRow {
  id: string;
  project_id: string;
  position: number;
  source_kind: ItemSourceKind;
  source_path: string;
  library_file_id: number | null;
  library_path: string | null;
  take_id: string | null;
  copied_file: string | null;
  window_start: number | null;
  window_end: number | null;
  is_generated: number;
  duration: number;
  sample_rate: number;
  channels: number;
  fields_json: string;
  version: number;
  created_at: number;
  updated_at: number;
}

const SELECT_ITEM = `
  SELECT i.*, f.path AS library_path
    FROM project_items i LEFT JOIN files f ON f.id = i.library_file_id`;

/** A new item row at version 1: 17 values, id through fields_json, then created_at and updated_at. */
const INSERT_ITEM = `
  INSERT INTO project_items (id, project_id, position, source_kind, source_path, library_file_id, take_id, copied_file,
    window_start, window_end, is_generated, duration, sample_rate, channels, fields_json, version, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`;

/** Fields a new item starts with. */
export function defaultFields(name: string): ItemFields {
  return {
    name,
    notes: '',
    trimIn: 0,
    trimOut: null,
    fadeIn: 0,
    fadeOut: 0,
    fadeInCurve: 'linear',
    fadeOutCurve: 'linear',
    isLoop: false,
    catId: null,
    fxName: null,
    creatorId: null,
    sourceId: null,
    userCategory: null,
    vendorCategory: null,
    userData: null,
    description: null,
    keywords: [],
  };
}

interface ResolvedSource {
  kind: ItemSourceKind;
  /** Absolute path of the audio to read now. */
  file: string;
  libraryFileId: number | null;
  takeId: string | null;
  isGenerated: boolean;
  defaultName: string;
  window: { start: number; end: number } | null;
}

export class ItemStore {
  constructor(
    private readonly db: Db,
    private readonly projects: ProjectStore,
  ) {}

  listLive(projectId: string, catalogue: UcsCatalogue): ProjectItem[] {
    const rows = this.db.prepare(`${SELECT_ITEM} WHERE i.project_id = ? AND i.deleted_seq IS NULL ORDER BY i.position, i.created_at`).all(projectId) as ItemRow[];
    return rows.map((r) => this.toItem(r, catalogue));
  }

  get(itemId: string, catalogue: UcsCatalogue): ProjectItem {
    return this.toItem(this.liveRow(itemId), catalogue);
  }

  async add(req: AddItems, catalogue: UcsCatalogue): Promise<ProjectItem[]> {
    const project = this.projects.get(req.projectId);
    const fields = req.fields ? normalizeFields(req.fields, catalogue) : {};
    // Read every source first: one bad path fails the request before anything is added.
    const sources = await Promise.all(req.sources.map(async (s) => this.inspect(await this.resolve(s))));
    const folder = this.projects.folderOf(project.id);
    fs.mkdirSync(folder, { recursive: true });
    let position = (this.db.prepare(`SELECT COALESCE(MAX(position), -1) AS p FROM project_items WHERE project_id = ?`).get(project.id) as { p: number }).p;
    const added: string[] = [];
    const now = Date.now();
    const planned = sources.map(({ source, meta }) => {
      const item: ItemFields = ItemFieldsSchema.parse({ ...defaultFields(source.defaultName), ...fields });
      const duration = source.window ? source.window.end - source.window.start : meta.duration;
      checkEdits(item, duration);
      return { source, meta, item, duration };
    });
    for (const { source, meta, item, duration } of planned) {
      const id = randomUUID();
      const copy = source.kind !== 'library' || req.copyLibraryFiles === true;
      // The copy is whole before its row commits, so a row never points at a partial file.
      const copied = copy ? copyInto(source.file, folder, id) : null;
      try {
        this.db.transaction(() => {
          this.db
            .prepare(INSERT_ITEM)
            .run(
              id,
              project.id,
              ++position,
              source.kind,
              source.file,
              source.libraryFileId,
              source.takeId,
              copied,
              source.window?.start ?? null,
              source.window?.end ?? null,
              source.isGenerated ? 1 : 0,
              duration,
              meta.sampleRate,
              meta.channels,
              JSON.stringify(item),
              now,
              now,
            );
          this.addVersion(id, 1, 'added', item);
        })();
      } catch (err) {
        if (copied) fs.rmSync(path.join(folder, copied), { force: true });
        throw err;
      }
      added.push(id);
    }
    this.projects.touch(project.id);
    return added.map((id) => this.get(id, catalogue));
  }

  update(itemId: string, patch: Partial<ItemFields>, catalogue: UcsCatalogue): ProjectItem {
    const row = this.liveRow(itemId);
    const current = parseFields(row.fields_json);
    const next = ItemFieldsSchema.parse({ ...current, ...normalizeFields(patch, catalogue) });
    checkEdits(next, row.duration);
    if (JSON.stringify(next) === JSON.stringify(current)) return this.toItem(row, catalogue);
    const version = row.version + 1;
    this.db.transaction(() => {
      this.db.prepare(`UPDATE project_items SET fields_json = ?, version = ?, updated_at = ? WHERE id = ?`).run(JSON.stringify(next), version, Date.now(), itemId);
      this.addVersion(itemId, version, 'edited', next);
    })();
    this.projects.touch(row.project_id);
    return this.get(itemId, catalogue);
  }

  remove(itemId: string): { projectId: string; name: string } {
    const row = this.liveRow(itemId);
    this.projects.deleteItem(itemId);
    this.projects.touch(row.project_id);
    return { projectId: row.project_id, name: parseFields(row.fields_json).name };
  }

  versions(itemId: string): ItemVersion[] {
    this.liveRow(itemId);
    const rows = this.db
      .prepare(`SELECT version, change, fields_json, created_at FROM project_item_versions WHERE item_id = ? ORDER BY version`)
      .all(itemId) as { version: number; change: string; fields_json: string; created_at: number }[];
    return rows.map((r) => ({ version: r.version, change: r.change, fields: parseFields(r.fields_json), createdAt: r.created_at }));
  }

  /** Copies the live items of one project into another (files included), each starting a new history. */
  duplicateInto(fromProjectId: string, toProjectId: string): void {
    const rows = this.db.prepare(`${SELECT_ITEM} WHERE i.project_id = ? AND i.deleted_seq IS NULL ORDER BY i.position`).all(fromProjectId) as ItemRow[];
    const fromFolder = this.projects.folderOf(fromProjectId);
    const toFolder = this.projects.folderOf(toProjectId);
    const now = Date.now();
    for (const r of rows) {
      const id = randomUUID();
      const copied = r.copied_file ? copyInto(path.join(fromFolder, r.copied_file), toFolder, id) : null;
      this.db.transaction(() => {
        this.db
          .prepare(INSERT_ITEM)
          .run(id, toProjectId, r.position, r.source_kind, r.source_path, r.library_file_id, r.take_id, copied, r.window_start, r.window_end, r.is_generated, r.duration, r.sample_rate, r.channels, r.fields_json, now, now);
        this.addVersion(id, 1, 'duplicated', parseFields(r.fields_json));
      })();
    }
  }

  /** Marks a restored item with a version row (undo of its delete). */
  noteRestored(itemId: string): void {
    const row = this.liveRow(itemId);
    const version = row.version + 1;
    this.db.transaction(() => {
      this.db.prepare(`UPDATE project_items SET version = ? WHERE id = ?`).run(version, itemId);
      this.addVersion(itemId, version, 'restored', parseFields(row.fields_json));
    })();
  }

  private addVersion(itemId: string, version: number, change: string, fields: ItemFields): void {
    this.db
      .prepare(`INSERT INTO project_item_versions (item_id, version, change, fields_json, created_at) VALUES (?, ?, ?, ?, ?)`)
      .run(itemId, version, change, JSON.stringify(fields), Date.now());
  }

  private liveRow(itemId: string): ItemRow {
    const row = this.db
      .prepare(`${SELECT_ITEM} JOIN projects p ON p.id = i.project_id WHERE i.id = ? AND i.deleted_seq IS NULL AND p.deleted_seq IS NULL`)
      .get(itemId) as ItemRow | undefined;
    if (!row) throw new CuebankError('not_found', `No project item ${itemId}`);
    return row;
  }

  private toItem(r: ItemRow, catalogue: UcsCatalogue): ProjectItem {
    const fields = parseFields(r.fields_json);
    const audioPath = r.copied_file ? path.join(this.projects.folderOf(r.project_id), r.copied_file) : (r.library_path ?? r.source_path);
    const cat = fields.catId ? catalogue.lookup(fields.catId) : undefined;
    return {
      ...fields,
      id: r.id,
      projectId: r.project_id,
      position: r.position,
      sourceKind: r.source_kind,
      originalPath: r.source_path,
      audioPath,
      available: fs.existsSync(audioPath),
      libraryFileId: r.library_file_id,
      takeId: r.take_id,
      window: r.window_start === null || r.window_end === null ? null : { start: r.window_start, end: r.window_end },
      isGenerated: r.is_generated === 1,
      duration: r.duration,
      sampleRate: r.sample_rate,
      channels: r.channels,
      category: cat?.category ?? null,
      subCategory: cat?.subCategory ?? null,
      version: r.version,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }

  private async resolve(s: ItemSourceInput): Promise<ResolvedSource> {
    if ('takeId' in s) return this.resolveTake(s.takeId);
    const abs = path.resolve(s.path);
    if (!fs.existsSync(abs)) throw new CuebankError('not_found', `File not found: ${s.path}`);
    if (!fs.statSync(abs).isFile()) throw new CuebankError('invalid_input', `Not a file: ${s.path}`);
    const real = fs.realpathSync(abs);
    const lib = this.db.prepare(`SELECT id, path FROM files WHERE (path = ? OR real_path = ?) AND status = 'ok'`).get(abs, real) as
      | { id: number; path: string }
      | undefined;
    const takesRoot = path.join(this.projects.dataDir, 'takes') + path.sep;
    return {
      kind: lib ? 'library' : 'file',
      file: lib?.path ?? abs,
      libraryFileId: lib?.id ?? null,
      takeId: null,
      // A take's file added by path is still a generated take.
      isGenerated: abs.startsWith(takesRoot),
      defaultName: path.basename(abs, path.extname(abs)).trim().slice(0, 200) || 'Untitled',
      window: s.window ?? null,
    };
  }

  private resolveTake(takeId: string): ResolvedSource {
    let row: { file: string; prompt: string | null } | undefined;
    try {
      row = this.db
        .prepare(`SELECT t.file, g.prompt FROM takes t LEFT JOIN generations g ON g.id = t.generation_id WHERE t.id = ?`)
        .get(takeId) as typeof row;
    } catch {
      row = undefined; // A database without the generate tables has no takes.
    }
    if (!row) throw new CuebankError('not_found', `No generated take ${takeId}`);
    const file = path.join(this.projects.dataDir, ...row.file.split('/'));
    if (!fs.existsSync(file)) throw new CuebankError('not_found', `The audio of take ${takeId} is missing (${file})`);
    return {
      kind: 'take',
      file,
      libraryFileId: null,
      takeId,
      isGenerated: true,
      defaultName: (row.prompt?.trim() || `Take ${takeId.slice(0, 8)}`).slice(0, 200),
      window: null,
    };
  }

  private async inspect(source: ResolvedSource) {
    let format;
    try {
      format = (await readMeta(source.file)).format;
    } catch (err) {
      throw new CuebankError('unsupported_format', `Cannot read ${source.file}: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (source.window && source.window.end <= source.window.start) throw new CuebankError('invalid_input', `Empty window in ${source.file}`);
    if (source.window && source.window.start >= format.duration) {
      throw new CuebankError('invalid_input', `Window starts after the end of ${source.file} (${format.duration.toFixed(2)} s)`);
    }
    if (source.window) source.window = { start: source.window.start, end: Math.min(source.window.end, format.duration) };
    return { source, meta: format };
  }
}

/** Trims empty strings to null and puts a CatID into the catalogue's casing (unknown CatIDs fail). */
export function normalizeFields(patch: Partial<ItemFields>, catalogue: UcsCatalogue): Partial<ItemFields> {
  const out: Partial<ItemFields> = { ...patch };
  for (const key of ['catId', 'fxName', 'creatorId', 'sourceId', 'userCategory', 'vendorCategory', 'userData', 'description'] as const) {
    if (key in out) {
      const v = out[key];
      out[key] = typeof v === 'string' && v.trim() ? v.trim() : null;
    }
  }
  if (out.catId) out.catId = catalogue.require(out.catId).catId;
  return out;
}

function checkEdits(f: ItemFields, duration: number): void {
  if (f.trimOut !== null && f.trimOut <= f.trimIn) throw new CuebankError('invalid_input', 'trimOut must be after trimIn');
  if (f.trimIn >= duration) throw new CuebankError('invalid_input', `trimIn is past the end of the audio (${duration.toFixed(2)} s)`);
}

function parseFields(json: string): ItemFields {
  return { ...defaultFields(''), ...(JSON.parse(json) as Partial<ItemFields>) };
}

/** Copies a file into the project folder as `<item id><ext>` (temporary name, flush, rename). */
function copyInto(file: string, folder: string, id: string): string {
  fs.mkdirSync(folder, { recursive: true });
  const name = `${id}${path.extname(file).toLowerCase()}`;
  const tmp = path.join(folder, `.${name}.tmp`);
  fs.copyFileSync(file, tmp);
  const fd = fs.openSync(tmp, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, path.join(folder, name));
  return name;
}
