import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toUnpackedPath } from '../../../native/sqlite-vec';
import { repoRoot } from '../../helpers/cli';
import { tempDir } from '../../helpers/tmp';

interface AsarNode {
  files?: Record<string, AsarNode>;
  unpacked?: boolean;
}
const asar = createRequire(import.meta.url)('@electron/asar') as {
  listPackage(file: string, o?: object): string[];
  getRawHeader(file: string): { header: AsarNode };
};

/**
 * electron-builder --dir with a stand-in Electron (no Electron binary can be downloaded here) and
 * no native rebuild: the package layout is what is checked. Native code must sit outside the asar
 * (dlopen cannot read inside it); the app's own code inside.
 */
describe('the packaged app (electron-builder --dir)', () => {
  let tmp: { dir: string; cleanup: () => void };
  let resources: string;
  let inAsar: Set<string>;

  beforeAll(() => {
    tmp = tempDir();
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: repoRoot, encoding: 'utf8' });
    expect(build.status, build.stderr).toBe(0);
    const standIn = path.join(tmp.dir, 'electron-dist');
    fs.mkdirSync(standIn);
    fs.writeFileSync(path.join(standIn, 'electron'), '#!/bin/sh\necho stand-in electron\n', { mode: 0o755 });
    fs.writeFileSync(path.join(standIn, 'version'), '41.7.1');
    const out = path.join(tmp.dir, 'out');
    const cli = path.join(repoRoot, 'node_modules', 'electron-builder', 'cli.js');
    const r = spawnSync(
      process.execPath,
      [cli, '--dir', '--linux', '--x64', `--config.electronDist=${standIn}`, '--config.npmRebuild=false', `--config.directories.output=${out}`],
      { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, ELECTRON_BUILDER_CACHE: path.join(tmp.dir, 'cache') } },
    );
    expect(r.status, r.stdout + r.stderr).toBe(0);
    resources = path.join(out, 'linux-unpacked', 'resources');
    inAsar = new Set(asar.listPackage(path.join(resources, 'app.asar'), { isPack: false }).map((f) => f.replaceAll('\\', '/')));
  }, 300_000);

  afterAll(() => tmp?.cleanup());

  it('holds main, the engine process, preload and renderer inside the asar', () => {
    for (const f of ['/dist/main.mjs', '/dist/engine-child.mjs', '/dist/preload.cjs', '/dist/renderer/index.html', '/resources/default-settings.json', '/package.json']) {
      expect(inAsar.has(f), f).toBe(true);
    }
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    expect(pkg.main).toBe('dist/main.mjs');
    expect([...inAsar].some((f) => f.endsWith('.map'))).toBe(false);
  });

  it('keeps native libraries outside the asar, in app.asar.unpacked', () => {
    const unpacked = path.join(resources, 'app.asar.unpacked');
    const natives = fs
      .readdirSync(unpacked, { recursive: true })
      .map((f) => String(f).replaceAll('\\', '/'))
      .filter((f) => /\.node$|vec0\.(so|dylib|dll)$|libonnxruntime/.test(f));
    expect(natives).toEqual(
      expect.arrayContaining([
        'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
        'node_modules/sqlite-vec-linux-x64/vec0.so',
        'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node',
        'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1',
      ]),
    );
    for (const n of natives) expect(fs.statSync(path.join(unpacked, n)).size).toBeGreaterThan(0);
    // The asar's header names every file; native ones must be marked unpacked (their bytes live outside).
    const header = asar.getRawHeader(path.join(resources, 'app.asar')).header;
    const packedNatives: string[] = [];
    const walk = (node: AsarNode, at: string) => {
      for (const [name, child] of Object.entries(node.files ?? {})) {
        const p = `${at}/${name}`;
        if (child.files) walk(child, p);
        else if (/\.node$|vec0\.so$|libonnxruntime/.test(name) && !child.unpacked) packedNatives.push(p);
      }
    };
    walk(header, '');
    expect(packedNatives).toEqual([]);
  });

  it('finds the sqlite-vec extension in app.asar.unpacked from its path inside the asar', () => {
    const insidePath = path.join(resources, 'app.asar', 'node_modules', 'sqlite-vec-linux-x64', 'vec0.so');
    expect(fs.existsSync(toUnpackedPath(insidePath))).toBe(true);
  });

  it('ships onnxruntime binaries for the target platform and architecture only', () => {
    const ort = [...inAsar].filter((f) => f.includes('/onnxruntime-node/bin/') && /\.(node|so[.\d]*|dylib|dll)$/.test(f));
    expect(ort.length).toBeGreaterThan(0);
    for (const f of ort) expect(f).toMatch(/\/linux\/x64\//);
    expect([...inAsar].some((f) => f.startsWith('/node_modules/onnxruntime-web/dist/'))).toBe(false);
  });
});
