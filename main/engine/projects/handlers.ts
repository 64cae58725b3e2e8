import type { ChannelOutput, ChannelParsed } from '../../../preload/contract';
import type { ResolvedConfig } from '../config';
import type { Db } from '../db/open';
import { prepareExport, runExport } from '../export/job';
import { manifestPaths } from '../export/manifest';
import { defaultExportSettings, mergeExportSettings } from '../export/settings';
import type { JobManager } from '../jobs/manager';
import { ItemStore } from './items';
import { ExportPresets } from './presets';
import { ProjectStore } from './store';
import { loadUcsCatalogue } from '../ucs/catalogue';

type ProjectChannel =
  | 'projects.list'
  | 'projects.create'
  | 'projects.rename'
  | 'projects.duplicate'
  | 'projects.delete'
  | 'projects.undoDelete'
  | 'projects.get'
  | 'projects.addItems'
  | 'projects.updateItem'
  | 'projects.removeItem'
  | 'projects.itemVersions'
  | 'projects.setExportSettings'
  | 'projects.exportPresets'
  | 'projects.exportPlan'
  | 'projects.export';

export type ProjectHandlers = { [N in ProjectChannel]: (input: ChannelParsed<N>) => Promise<ChannelOutput<N>> };

/** The engine's handlers for projects and their export (spread into createEngine's handlers). */
export function projectHandlers(db: Db, cfg: ResolvedConfig, jobs: JobManager): ProjectHandlers {
  const projects = new ProjectStore(db, cfg.dataDir, () => defaultExportSettings(cfg.export));
  const items = new ItemStore(db, projects);
  const presets = new ExportPresets(db);

  const detail = async (projectId: string) => {
    const catalogue = await loadUcsCatalogue();
    return { project: projects.get(projectId), items: items.listLive(projectId, catalogue) };
  };

  const prepare = async (req: ChannelParsed<'projects.exportPlan'>) => {
    const catalogue = await loadUcsCatalogue();
    const { project, items: all } = await detail(req.projectId);
    const settings = mergeExportSettings(project.exportSettings, req.settings);
    return prepareExport(project, all, req.itemIds, settings, req.outDir, catalogue);
  };

  return {
    'projects.list': async () => projects.list(),
    'projects.create': async ({ name, notes }) => projects.create(name, notes),
    'projects.rename': async ({ projectId, name }) => projects.rename(projectId, name),
    'projects.duplicate': async ({ projectId, name }) => {
      const copy = projects.duplicateRow(projectId, name);
      items.duplicateInto(projectId, copy.id);
      return projects.get(copy.id);
    },
    'projects.delete': async ({ projectId }) => projects.delete(projectId),
    'projects.undoDelete': async () => {
      const restored = projects.undoDelete();
      if (restored?.kind === 'item' && restored.itemId) items.noteRestored(restored.itemId);
      return restored;
    },
    'projects.get': async ({ projectId }) => detail(projectId),
    'projects.addItems': async (req) => items.add(req, await loadUcsCatalogue()),
    'projects.updateItem': async ({ itemId, fields }) => items.update(itemId, fields, await loadUcsCatalogue()),
    'projects.removeItem': async ({ itemId }) => {
      const { projectId, name } = items.remove(itemId);
      return { kind: 'item', projectId, itemId, name };
    },
    'projects.itemVersions': async ({ itemId }) => items.versions(itemId),
    'projects.setExportSettings': async ({ projectId, settings }) => projects.setExportSettings(projectId, settings),
    'projects.exportPresets': async (req) => {
      if (req.action === 'save') return presets.save(req.name, req.settings);
      if (req.action === 'delete') return presets.delete(req.name);
      return presets.list();
    },
    'projects.exportPlan': async (req) => {
      const prep = await prepare(req);
      const files = prep.plans.map((p) => ({
        key: p.key,
        itemId: p.itemId,
        itemName: p.itemName,
        variation: p.variation,
        fileName: p.fileName,
        path: p.path,
        clash: p.clash,
        duplicate: p.duplicate,
        naming: p.naming,
        problem: p.problem,
      }));
      return {
        outDir: prep.outDir,
        settings: prep.settings,
        files,
        clashes: files.filter((f) => f.clash).length,
        manifest: manifestPaths(prep.outDir, prep.project.name),
      };
    },
    'projects.export': async (req) => {
      const prep = await prepare(req);
      const params = { projectId: req.projectId, outDir: prep.outDir, onConflict: req.onConflict, files: prep.plans.length };
      return jobs.start('export', params, (ctx) => runExport(prep, req.onConflict, req.overrides ?? {}, ctx));
    },
  };
}
