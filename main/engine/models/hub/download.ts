/**
 * Downloads one catalog pack into the models folder. Everything is written under
 * `<models>/.downloads/<id>/` (discovery skips dot-folders, so nothing here is ever listed as a
 * pack): each file first as `<path>.part`, appended to with HTTP Range after a quit or a crash,
 * verified (the hub's LFS sha256, or its git blob sha1 for small files), then renamed to `<path>`.
 * Only when every file is verified and the folder passes the same inspection discovery uses is the
 * whole folder renamed into place: one rename, so a pack is either absent or complete.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CuebankError } from '../../errors';
import { RUNNER_PID, runsElsewhere } from '../../runner';
import { MANIFEST_FILE, type ManifestInput } from '../manifest';
import { inspectPack } from '../packs';
import { packFiles, type CatalogPack } from './catalog';
import type { HubClient, RemoteFile } from './client';

export const DOWNLOADS_DIR = '.downloads';
/** Room kept free beyond the pack itself (the manifest, the file system's own needs). */
const SPACE_MARGIN = 16 * 1024 * 1024;

export interface DownloadProgress {
  file: string;
  fileIndex: number;
  fileCount: number;
  bytesDone: number;
  bytesTotal: number;
  /** Over the last few seconds of this run. */
  bytesPerSecond: number;
  etaSeconds: number | null;
  /** Bytes a previous run had already fetched (not fetched again). */
  resumedBytes: number;
}

export interface DownloadedPack {
  id: string;
  folder: string;
  dtype: string;
  commit: string | null;
  files: { path: string; size: number; sha256: string }[];
  resumedBytes: number;
}

export interface DownloadOptions {
  pack: CatalogPack;
  dtype?: string;
  modelsDir: string;
  client: HubClient;
  signal?: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
  /** Free bytes where the models folder lives (tests stand in for a full disk). */
  freeBytes?: (dir: string) => Promise<number>;
}

interface FileState extends RemoteFile {
  /** sha256 once the file is complete and verified. */
  verified: string | null;
}

interface DownloadState {
  repo: string;
  revision: string;
  dtype: string;
  commit: string | null;
  files: Record<string, FileState>;
}

export async function statfsFree(dir: string): Promise<number> {
  const s = await fs.promises.statfs(dir);
  return Number(s.bavail) * Number(s.bsize);
}

const mb = (n: number) => `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)} MB`;

export function stagingDir(modelsDir: string, id: string): string {
  return path.join(path.resolve(modelsDir), DOWNLOADS_DIR, id);
}

function readState(file: string): DownloadState | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as DownloadState;
  } catch {
    return null;
  }
}

function writeState(file: string, state: DownloadState): void {
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state, null, 2));
  fs.renameSync(tmp, file);
}

const sizeOf = (p: string): number => {
  try {
    return fs.statSync(p).size;
  } catch {
    return -1;
  }
};

/** sha256 and git blob sha1 of a file (the hub's ETag of a non-LFS file is the latter). */
async function hashFile(file: string, size: number): Promise<{ sha256: string; gitSha1: string }> {
  const sha256 = createHash('sha256');
  const sha1 = createHash('sha1').update(`blob ${size}\0`);
  for await (const chunk of fs.createReadStream(file)) {
    sha256.update(chunk as Buffer);
    sha1.update(chunk as Buffer);
  }
  return { sha256: sha256.digest('hex'), gitSha1: sha1.digest('hex') };
}

function diskFull(dir: string, needed: number, free: number | null): CuebankError {
  const detail = free === null ? 'the disk filled up while writing' : `needs ${mb(needed)} more, ${mb(free)} free`;
  return new CuebankError('model_error', `Not enough disk space for the model pack in ${dir}: ${detail}. Free some space and run the download again; what was fetched is kept.`);
}

/** Moving rate over the last few seconds. */
class Speedometer {
  private samples: { t: number; bytes: number }[] = [];
  add(bytes: number): void {
    const t = Date.now();
    this.samples.push({ t, bytes });
    while (this.samples.length > 2 && t - this.samples[0].t > 3000) this.samples.shift();
  }
  rate(): number {
    if (this.samples.length < 2) return 0;
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const bytes = this.samples.slice(1).reduce((a, s) => a + s.bytes, 0);
    return last.t > first.t ? (bytes * 1000) / (last.t - first.t) : 0;
  }
}

export async function downloadPack(opts: DownloadOptions): Promise<DownloadedPack> {
  const { pack, client, signal } = opts;
  const dtype = opts.dtype ?? pack.defaultDtype;
  const wanted = packFiles(pack, dtype);
  const modelsDir = path.resolve(opts.modelsDir);
  const target = path.join(modelsDir, pack.id);
  if (fs.existsSync(target)) {
    throw new CuebankError('invalid_input', `A pack named "${pack.id}" is already installed in ${modelsDir}; remove it first to download it again.`);
  }
  const staging = stagingDir(modelsDir, pack.id);
  const stagePack = path.join(staging, 'pack');
  const stateFile = path.join(staging, 'state.json');
  fs.mkdirSync(stagePack, { recursive: true });
  const release = takeLock(staging, pack.id);
  try {
    return await download(opts, { dtype, wanted, modelsDir, target, staging, stagePack, stateFile });
  } finally {
    release();
  }
}

/**
 * One process at a time per pack: two writers appending to the same .part file would only produce a
 * checksum failure. The lock names its process; one left by a process that is gone is taken over.
 */
function takeLock(staging: string, id: string): () => void {
  const file = path.join(staging, 'lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(RUNNER_PID), { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(fs.readFileSync(file, 'utf8')) || null;
      if (owner === RUNNER_PID || runsElsewhere(owner)) {
        throw new CuebankError('invalid_input', `"${id}" is already being downloaded${owner === RUNNER_PID ? '' : ` by another Cuebank process (pid ${owner})`}; wait for it or cancel it there.`);
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new CuebankError('internal', `Cannot take the download lock of "${id}"`);
}

interface Paths {
  dtype: string;
  wanted: ReturnType<typeof packFiles>;
  modelsDir: string;
  target: string;
  staging: string;
  stagePack: string;
  stateFile: string;
}

async function download(opts: DownloadOptions, paths: Paths): Promise<DownloadedPack> {
  const { pack, client, signal } = opts;
  const { dtype, wanted, modelsDir, target, staging, stagePack, stateFile } = paths;

  // A previous run of the same download resumes; one for another revision or dtype starts over.
  let state = readState(stateFile);
  if (state && (state.repo !== pack.repo || state.revision !== pack.revision || state.dtype !== dtype)) {
    fs.rmSync(stagePack, { recursive: true, force: true });
    fs.rmSync(stateFile, { force: true });
    fs.mkdirSync(stagePack, { recursive: true });
    state = null;
  }
  const previous = state?.files ?? {};
  let revision = state?.commit ?? pack.revision;
  let commit: string | null = state?.commit ?? null;
  const files: Record<string, FileState> = {};
  for (const f of wanted) {
    signal?.throwIfAborted();
    const remote = await client.head(pack.repo, revision, f.path, signal);
    // A branch is read at one commit for the whole pack, so the files belong together.
    commit ??= remote.commit;
    if (commit && !pack.revisionPinned) revision = commit;
    if (f.size !== undefined && f.size !== remote.size) {
      throw new CuebankError('model_error', `${pack.repo}: ${f.path} is ${remote.size} bytes on the hub, but the catalog pins ${f.size}; the catalog or the mirror is out of date.`);
    }
    const sha256 = f.sha256 ?? remote.sha256;
    if (f.sha256 && remote.sha256 && f.sha256 !== remote.sha256) {
      throw new CuebankError('model_error', `${pack.repo}: ${f.path} on the hub (sha256 ${remote.sha256.slice(0, 12)}…) is not the file the catalog pins (${f.sha256.slice(0, 12)}…).`);
    }
    const before = previous[f.path];
    const same = before && before.size === remote.size && before.sha256 === sha256 && before.gitSha1 === remote.gitSha1;
    if (!same) {
      fs.rmSync(path.join(stagePack, f.path), { force: true });
      fs.rmSync(path.join(stagePack, `${f.path}.part`), { force: true });
    }
    files[f.path] = { ...remote, sha256, verified: same ? before.verified : null };
  }
  state = { repo: pack.repo, revision: pack.revision, dtype, commit, files };
  writeState(stateFile, state);

  const total = wanted.reduce((a, f) => a + files[f.path].size, 0);
  const present = (f: FileState) => {
    if (f.verified && sizeOf(path.join(stagePack, f.path)) === f.size) return f.size;
    return Math.min(f.size, Math.max(0, sizeOf(path.join(stagePack, `${f.path}.part`))));
  };
  const resumedBytes = Object.values(files).reduce((a, f) => a + present(f), 0);
  const needed = total - resumedBytes;
  const free = await (opts.freeBytes ?? statfsFree)(modelsDir);
  if (needed + SPACE_MARGIN > free) throw diskFull(modelsDir, needed + SPACE_MARGIN, free);

  const speed = new Speedometer();
  let done = resumedBytes;
  const report = (file: string, fileIndex: number) => {
    const rate = speed.rate();
    opts.onProgress?.({
      file,
      fileIndex,
      fileCount: wanted.length,
      bytesDone: done,
      bytesTotal: total,
      bytesPerSecond: rate,
      etaSeconds: rate > 0 ? (total - done) / rate : null,
      resumedBytes,
    });
  };

  for (const [i, f] of wanted.entries()) {
    signal?.throwIfAborted();
    const info = files[f.path];
    const final = path.join(stagePack, f.path);
    if (info.verified && sizeOf(final) === info.size) continue;
    const part = `${final}.part`;
    fs.mkdirSync(path.dirname(part), { recursive: true });
    let have = Math.max(0, sizeOf(part));
    if (have > info.size) {
      done -= info.size;
      fs.rmSync(part);
      have = 0;
    }
    if (have < info.size) {
      // No If-Range: the content server's ETag need not be the hub's, and a changed file is caught
      // anyway (the HEAD above compares hashes before resuming, and every file is verified).
      const { start, body } = await client.get(pack.repo, revision, f.path, have, null, signal);
      if (start !== have) done -= have; // the server sent the whole file: start over
      let received = 0;
      const expected = info.size - start;
      // Each piece is on disk before the next is read: when the connection drops, every byte that
      // arrived is kept for the resume (a stream pipeline would discard what its buffers held).
      const out = await fs.promises.open(part, start > 0 ? 'a' : 'w');
      try {
        for await (const chunk of body as AsyncIterable<Buffer>) {
          signal?.throwIfAborted();
          await out.write(chunk);
          received += chunk.length;
          done += chunk.length;
          speed.add(chunk.length);
          report(f.path, i);
        }
      } catch (err) {
        // Cancelling destroys the response, which surfaces as a connection error: say it was a cancel.
        if (signal?.aborted) throw new DOMException('The download was cancelled', 'AbortError');
        const e = err as NodeJS.ErrnoException;
        if (e.code === 'ENOSPC') throw diskFull(modelsDir, expected - received, null);
        if (err instanceof CuebankError || e.name === 'AbortError') throw err;
        throw new CuebankError('model_error', `The connection closed after ${start + received} of ${info.size} bytes of ${f.path} (${e.message}). Run the download again to resume from there.`);
      } finally {
        await out.close();
      }
      if (received < expected) {
        throw new CuebankError('model_error', `The connection closed after ${start + received} of ${info.size} bytes of ${f.path}. Run the download again to resume from there.`);
      }
    }
    const actual = await hashFile(part, info.size);
    const ok = sizeOf(part) === info.size && (info.sha256 ? actual.sha256 === info.sha256 : info.gitSha1 ? actual.gitSha1 === info.gitSha1 : true);
    if (!ok) {
      fs.rmSync(part, { force: true });
      const expectedHash = info.sha256 ? `sha256 ${info.sha256.slice(0, 12)}…` : `git sha1 ${info.gitSha1?.slice(0, 12)}…`;
      const found = info.sha256 ? actual.sha256 : actual.gitSha1;
      throw new CuebankError('model_error', `${f.path} does not match the hub's checksum (expected ${expectedHash}, got ${found.slice(0, 12)}…): the damaged file was removed. Run the download again.`);
    }
    fs.renameSync(part, final);
    info.verified = actual.sha256;
    writeState(stateFile, state);
    report(f.path, i);
  }

  const manifest: ManifestInput = {
    manifestVersion: 1,
    role: pack.role,
    name: pack.name,
    licence: pack.license,
    format: pack.format,
    description: pack.description,
    source: `hf:${pack.repo}@${state.commit ?? pack.revision}`,
    dtype,
    sha256: Object.fromEntries(wanted.map((f) => [f.path, files[f.path].verified!])),
  };
  fs.writeFileSync(path.join(stagePack, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
  try {
    inspectPack(stagePack, modelsDir);
  } catch (err) {
    throw new CuebankError('model_error', `The downloaded files of "${pack.id}" do not form a usable pack: ${(err as Error).message}`);
  }
  if (fs.existsSync(target)) throw new CuebankError('invalid_input', `A pack named "${pack.id}" appeared in ${modelsDir} during the download; remove it and run the download again.`);
  fs.renameSync(stagePack, target);
  fs.rmSync(staging, { recursive: true, force: true });
  return {
    id: pack.id,
    folder: target,
    dtype,
    commit: state.commit,
    files: wanted.map((f) => ({ path: f.path, size: files[f.path].size, sha256: files[f.path].verified! })),
    resumedBytes,
  };
}
