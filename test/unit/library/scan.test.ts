import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scanFolders } from '../../../main/engine/library/scan';
import { tempDir } from '../../helpers/tmp';

describe('scanFolders', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => cleanups.splice(0).forEach((c) => c()));

  const tree = () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const lib = path.join(t.dir, 'lib');
    fs.mkdirSync(path.join(lib, 'doors', 'wood'), { recursive: true });
    fs.mkdirSync(path.join(t.dir, 'elsewhere'));
    fs.writeFileSync(path.join(lib, 'doors', 'wood', 'slam.wav'), 'x');
    fs.writeFileSync(path.join(lib, 'doors', 'creak.FLAC'), 'x');
    fs.writeFileSync(path.join(lib, 'notes.txt'), 'x');
    fs.writeFileSync(path.join(lib, '._slam.wav'), 'x');
    fs.writeFileSync(path.join(t.dir, 'elsewhere', 'rain.ogg'), 'x');
    return { root: t.dir, lib };
  };

  it('lists audio files by extension, in name order, skipping AppleDouble files', async () => {
    const { lib } = tree();
    const { files, problems } = await scanFolders([lib], { followSymlinks: true });
    expect(files.map((f) => path.relative(lib, f.path))).toEqual([path.join('doors', 'creak.FLAC'), path.join('doors', 'wood', 'slam.wav')]);
    expect(problems).toEqual([]);
    expect(files[0].size).toBe(1);
  });

  it('follows a symlinked folder once: no loops, no double entries', async () => {
    const { root, lib } = tree();
    fs.symlinkSync(lib, path.join(lib, 'doors', 'loop'));              // a cycle back to the top
    fs.symlinkSync(path.join(lib, 'doors'), path.join(lib, 'again'));   // a second way into doors/
    fs.symlinkSync(path.join(root, 'elsewhere'), path.join(lib, 'ext')); // a folder outside the library
    const { files, problems } = await scanFolders([lib], { followSymlinks: true });
    const reals = files.map((f) => path.basename(f.realPath)).sort();
    expect(reals).toEqual(['creak.FLAC', 'rain.ogg', 'slam.wav']);
    // Files reachable through a real folder keep that path, not the link's.
    expect(files.find((f) => f.path.endsWith('creak.FLAC'))!.path).toBe(path.join(lib, 'doors', 'creak.FLAC'));
    expect(files.find((f) => f.path.endsWith('rain.ogg'))!.path).toBe(path.join(lib, 'ext', 'rain.ogg'));
    expect(new Set(files.map((f) => f.realPath)).size).toBe(files.length);
    expect(problems).toEqual([]);
  });

  it('reports looping and broken file links without stopping', async () => {
    const { lib } = tree();
    fs.symlinkSync(path.join(lib, 'b.wav'), path.join(lib, 'a.wav'));
    fs.symlinkSync(path.join(lib, 'a.wav'), path.join(lib, 'b.wav'));
    fs.symlinkSync(path.join(lib, 'gone.wav'), path.join(lib, 'dangling.wav'));
    const { files, problems } = await scanFolders([lib], { followSymlinks: true });
    expect(files).toHaveLength(2);
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: path.join(lib, 'a.wav'), error: 'Symbolic link loop' },
        { path: path.join(lib, 'b.wav'), error: 'Symbolic link loop' },
        { path: path.join(lib, 'dangling.wav'), error: 'Broken symbolic link or missing file' },
      ]),
    );
  });

  it('does not follow links when told not to', async () => {
    const { root, lib } = tree();
    fs.symlinkSync(path.join(root, 'elsewhere'), path.join(lib, 'ext'));
    const { files } = await scanFolders([lib], { followSymlinks: false });
    expect(files.map((f) => path.basename(f.path))).not.toContain('rain.ogg');
  });

  it('reports a missing root as a problem', async () => {
    const { root } = tree();
    const { files, problems } = await scanFolders([path.join(root, 'nope')], { followSymlinks: true });
    expect(files).toEqual([]);
    expect(problems).toEqual([{ path: path.join(root, 'nope'), error: 'Folder not found' }]);
  });

  it('stops when cancelled', async () => {
    const { lib } = tree();
    const controller = new AbortController();
    controller.abort();
    await expect(scanFolders([lib], { followSymlinks: true, signal: controller.signal })).rejects.toThrow();
  });
});
