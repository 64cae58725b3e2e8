/**
 * `npm run fuzz:corpus`: writes the whole malformed corpus plus the intact sources into a temp
 * folder, runs ONE `cuebank index` over it (the real CLI in a child process, with the fixture CLAP
 * pack), then `meta` and `loudness` on every file with a 20 s limit each, and prints per class:
 * files, indexed, failed with a reason, time per file and the index run's peak memory.
 *
 * Exits 1 when an intact or valid-but-odd file is not indexed, a reason or warning is not a
 * sentence, a value is implausible, the index peaks at 2 GiB or more, or a file takes over 10 s
 * (in the index, as its progress shows, or in meta or loudness).
 * Options: --keep (leave the folder), --seed N, --per-class N (a subset), --out DIR.
 */
import { fork, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import type { LoudnessReport } from '../../main/engine/audio/loudness';
import type { FileMeta } from '../../main/engine/audio/types';
import { writeFixtures } from '../fixtures';
import { CLASS_NAMES, generateCorpus, type Expectation } from './malformed-corpus';
import { isSentence, loudnessProblems, metaProblems } from './plausibility';
import type { ProbeReply, ProbeRequest } from './probe-worker';
import { intactSources, repoRoot } from './sources';

const CALL_LIMIT_MS = 20_000;
const FILE_LIMIT_S = 10;
const MEMORY_LIMIT = 2 * 1024 ** 3;

interface Entry {
  cls: string;
  file: string;
  expect: Expectation;
  bytes: number;
  indexed?: boolean;
  reason?: string | null;
  /** Seconds the index spent on the file, as its progress showed (null: under the progress interval). */
  indexSeconds?: number | null;
  metaMs?: number;
  loudnessMs?: number;
  problems: string[];
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<number> {
  const seed = Number(arg('seed') ?? 12);
  const perClass = arg('per-class') ? Number(arg('per-class')) : undefined;
  const root = arg('out') ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cuebank-fuzz-'));
  const lib = path.join(root, 'library');
  fs.rmSync(lib, { recursive: true, force: true });
  const t0 = performance.now();
  const { sources, audio } = await intactSources();
  const corpus = generateCorpus(sources, audio, { seed, perClass });
  const entries: Entry[] = [];
  const write = (cls: string, name: string, bytes: Buffer, expect: Expectation) => {
    const dir = path.join(lib, cls);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, name.replace(/[^\w.\-]+/g, '_'));
    fs.writeFileSync(file, bytes);
    entries.push({ cls, file, expect, bytes: bytes.length, problems: [] });
  };
  for (const s of sources) write('intact', s.name, s.bytes, 'read');
  for (const m of corpus) write(m.cls, m.name.slice(m.cls.length + 2), m.bytes, m.expect);
  const total = entries.reduce((n, e) => n + e.bytes, 0);
  console.log(`Generated ${entries.length} files (${sources.length} intact, ${corpus.length} malformed; ${(total / 2 ** 20).toFixed(1)} MiB) in ${((performance.now() - t0) / 1000).toFixed(1)} s under ${lib}`);

  const fx = writeFixtures(path.join(root, 'fx'));
  const db = path.join(root, 'fuzz.db');
  fs.rmSync(db, { force: true });
  const index = await runIndex(lib, db, fx.modelsDir);
  console.log(`cuebank index: exit ${index.status} in ${index.seconds.toFixed(1)} s, peak memory ${(index.peakBytes / 2 ** 20).toFixed(0)} MiB (${index.memorySource})`);
  if (index.status !== 0) console.log(index.stderr.slice(-2000));

  const rows = fs.existsSync(db)
    ? (new Database(db, { readonly: true }).prepare('SELECT path, status, error FROM files').all() as { path: string; status: string; error: string | null }[])
    : [];
  const byPath = new Map(rows.map((r) => [r.path, r]));
  for (const e of entries) {
    const row = byPath.get(e.file);
    e.indexed = row?.status === 'ok';
    e.reason = row?.error ?? null;
    e.indexSeconds = index.perFile.get(e.file) ?? null;
    if (!row) e.problems.push('index: not in the library (neither indexed nor failed)');
    else if (!e.indexed && !isSentence(e.reason ?? '')) e.problems.push(`index reason is not a sentence: ${e.reason}`);
    if (e.expect === 'read' && !e.indexed) e.problems.push(`index: a readable file was not indexed: ${e.reason}`);
    if (e.expect === 'refuse' && e.indexed) e.problems.push('index: not audio, yet indexed');
    if ((e.indexSeconds ?? 0) > FILE_LIMIT_S) e.problems.push(`index: ${e.indexSeconds!.toFixed(1)} s for one file`);
  }

  const probe = new Prober();
  const tProbe = performance.now();
  for (const e of entries) {
    const m = await probe.call({ file: e.file, op: 'meta' });
    e.metaMs = m.ms;
    check(e, 'meta', m, (v) => metaProblems(v as FileMeta, e.bytes));
    const l = await probe.call({ file: e.file, op: 'loudness' });
    e.loudnessMs = l.ms;
    check(e, 'loudness', l, (v) => loudnessProblems(v as LoudnessReport));
  }
  probe.stop();
  console.log(`meta + loudness on ${entries.length} files in ${((performance.now() - tProbe) / 1000).toFixed(1)} s`);

  printTable(entries);
  const failed = entries.filter((e) => e.problems.length);
  if (index.status !== 0) console.log(`FAIL: cuebank index exited ${index.status}`);
  if (index.peakBytes >= MEMORY_LIMIT) console.log(`FAIL: index peak memory ${(index.peakBytes / 2 ** 30).toFixed(2)} GiB`);
  for (const e of failed.slice(0, 60)) console.log(`FAIL ${path.relative(lib, e.file)}: ${e.problems.join(' | ')}`);
  if (failed.length > 60) console.log(`... and ${failed.length - 60} more`);
  if (!arg('out') && !process.argv.includes('--keep')) fs.rmSync(root, { recursive: true, force: true });
  return failed.length || index.status !== 0 || index.peakBytes >= MEMORY_LIMIT ? 1 : 0;
}

function check(e: Entry, op: string, r: ProbeReply & { timedOut?: boolean }, problems: (v: unknown) => string[]): void {
  if (r.timedOut) e.problems.push(`${op}: no answer within ${CALL_LIMIT_MS / 1000} s`);
  else if (r.ms > FILE_LIMIT_S * 1000) e.problems.push(`${op}: ${(r.ms / 1000).toFixed(1)} s for one file`);
  else if (r.ok) {
    for (const p of problems(r.value)) e.problems.push(`${op}: ${p}`);
    if (e.expect === 'refuse') e.problems.push(`${op}: not audio, yet answered`);
  } else {
    if (!isSentence(r.error?.message ?? '')) e.problems.push(`${op} reason is not a sentence: ${r.error?.message}`);
    if (r.error?.code === 'internal') e.problems.push(`${op}: internal error: ${r.error.message}`);
    if (e.expect === 'read') e.problems.push(`${op}: a readable file was refused: ${r.error?.message}`);
  }
}

/** Runs `cuebank index` with per-file progress on stderr, timing each file and the peak memory. */
async function runIndex(lib: string, db: string, models: string) {
  const entry = path.join(repoRoot, 'main', 'cli', 'index.ts');
  const preload = path.join(repoRoot, 'test', 'fuzz', 'tty-progress.ts');
  const nodeArgs = ['--import', 'tsx', '--import', preload, entry, 'index', lib, '--db', db, '--models', models];
  const useTime = fs.existsSync('/usr/bin/time');
  const child = useTime ? spawn('/usr/bin/time', ['-v', process.execPath, ...nodeArgs], { cwd: repoRoot }) : spawn(process.execPath, nodeArgs, { cwd: repoRoot });
  const t0 = performance.now();
  let stderr = '';
  let current: { file: string; since: number } | null = null;
  const perFile = new Map<string, number>();
  let hwm = 0;
  const sampler = setInterval(() => (hwm = Math.max(hwm, vmHwm(child.pid!))), 250);
  child.stdout.resume();
  child.stderr.on('data', (d: Buffer) => {
    const now = performance.now();
    stderr += d.toString();
    // Progress lines: "\r\x1b[K<done>/<total> <current file, last 60 characters>".
    for (const m of d.toString().matchAll(/\r\x1b\[K\d+\/\d+ ([^\r]*)/g)) {
      const tail = m[1].trim();
      if (current && current.file.endsWith(tail)) continue;
      if (current) perFile.set(current.file, (now - current.since) / 1000);
      current = tail ? { file: tail, since: now } : null;
    }
    if (stderr.length > 1 << 20) stderr = stderr.slice(-(1 << 19));
  });
  const status: number | null = await new Promise((resolve) => child.on('close', resolve));
  clearInterval(sampler);
  const end = performance.now();
  const last = current as { file: string; since: number } | null;
  if (last) perFile.set(last.file, (end - last.since) / 1000);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  const peakBytes = rss ? Number(rss[1]) * 1024 : hwm;
  // Progress shows the end of the path; map it back to the full paths.
  const full = new Map<string, number>();
  const files = fs.readdirSync(lib, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => path.join(d.parentPath, d.name));
  for (const [tail, s] of perFile) {
    const f = files.find((x) => x.endsWith(tail));
    if (f) full.set(f, Math.max(s, full.get(f) ?? 0));
  }
  return { status, seconds: (end - t0) / 1000, peakBytes, memorySource: rss ? '/usr/bin/time -v max RSS' : '/proc VmHWM sampled', perFile: full, stderr };
}

function vmHwm(pid: number): number {
  let best = 0;
  // /usr/bin/time's child (node) is a grandchild: look at the direct child's children too.
  for (const p of [pid, ...childPids(pid)]) {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) best = Math.max(best, Number(m[1]) * 1024);
    } catch {
      // gone
    }
  }
  return best;
}

function childPids(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * One probe worker at a time; a call over the limit kills it, and the next call starts a new one.
 * Its output is dropped: the wasm decoders print every damaged packet.
 */
class Prober {
  private child: ReturnType<typeof fork> | null = null;
  private ready: Promise<void> | null = null;

  private start() {
    const child = fork(path.join(repoRoot, 'test', 'fuzz', 'probe-worker.ts'), [], { execArgv: ['--import', 'tsx'], cwd: repoRoot, stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    this.child = child;
    this.ready = new Promise((resolve) => child.once('message', () => resolve()));
  }

  async call(req: ProbeRequest): Promise<ProbeReply & { timedOut?: boolean }> {
    if (!this.child) this.start();
    await this.ready;
    const child = this.child!;
    return new Promise((resolve) => {
      const t = performance.now();
      const timer = setTimeout(() => {
        child.removeAllListeners('message');
        child.kill('SIGKILL');
        this.child = null;
        resolve({ ok: false, ms: performance.now() - t, timedOut: true });
      }, CALL_LIMIT_MS);
      const died = () => {
        clearTimeout(timer);
        this.child = null;
        resolve({ ok: false, ms: performance.now() - t, error: { code: 'internal', message: 'The probe process died' } });
      };
      child.once('exit', died);
      child.once('message', (reply: ProbeReply) => {
        clearTimeout(timer);
        child.off('exit', died);
        resolve(reply);
      });
      child.send(req);
    });
  }

  stop() {
    this.child?.kill();
    this.child = null;
  }
}

function printTable(entries: Entry[]): void {
  const rows = CLASS_NAMES.map((cls) => {
    const es = entries.filter((e) => e.cls === cls);
    if (!es.length) return null;
    const idx = es.map((e) => e.indexSeconds).filter((s): s is number => s !== null && s !== undefined);
    const probeMs = es.map((e) => (e.metaMs ?? 0) + (e.loudnessMs ?? 0));
    return [
      cls,
      es.length,
      es.filter((e) => e.indexed).length,
      es.filter((e) => !e.indexed && e.reason).length,
      idx.length ? Math.max(...idx).toFixed(2) : '<0.1',
      Math.max(...probeMs).toFixed(0),
      (probeMs.reduce((a, b) => a + b, 0) / es.length).toFixed(0),
      es.filter((e) => e.problems.length).length,
    ];
  }).filter((r) => r !== null);
  const head = ['class', 'files', 'indexed', 'failed+reason', 'index max s', 'meta+loud max ms', 'mean ms', 'problems'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r: (string | number)[]) => r.map((c, i) => (i ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i]))).join('  ');
  console.log(line(head));
  for (const r of rows) console.log(line(r));
  const all = entries.length;
  console.log(`total ${all} files: ${entries.filter((e) => e.indexed).length} indexed, ${entries.filter((e) => !e.indexed && e.reason).length} failed with a reason, ${entries.filter((e) => e.problems.length).length} with problems`);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
