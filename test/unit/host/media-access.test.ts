import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../main/engine/db/open';
import { resolveMedia } from '../../../main/engine/library/media-access';
import { tempDir } from '../../helpers/tmp';

describe('which files the renderer may stream', () => {
  let t: { dir: string; cleanup: () => void };
  let db: Db;
  let lib: string;
  let outside: string;

  beforeAll(() => {
    t = tempDir();
    lib = path.join(t.dir, 'lib');
    outside = path.join(t.dir, 'private');
    fs.mkdirSync(path.join(lib, 'sub'), { recursive: true });
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(lib, 'sub', 'a.wav'), 'RIFF');
    fs.writeFileSync(path.join(outside, 'secret.wav'), 'RIFF');
    fs.writeFileSync(path.join(outside, 'linked-in.wav'), 'RIFF');
    fs.symlinkSync(path.join(outside, 'secret.wav'), path.join(lib, 'escape.wav'));
    fs.symlinkSync(outside, path.join(lib, 'escape-dir'));
    fs.symlinkSync(path.join(outside, 'linked-in.wav'), path.join(lib, 'indexed-link.wav'));
    db = openDatabase(path.join(t.dir, 'w.db'));
    db.prepare(`INSERT INTO folders (id, path, added_at) VALUES (1, ?, 0)`).run(lib);
    // The index followed this link, so its target is a library file.
    db.prepare(
      `INSERT INTO files (folder_id, path, real_path, name, ext, size, mtime_ms, fingerprint, status, indexed_at)
       VALUES (1, ?, ?, 'indexed-link.wav', 'wav', 4, 0, 'x', 'ok', 0)`,
    ).run(path.join(lib, 'indexed-link.wav'), path.join(outside, 'linked-in.wav'));
  });
  afterAll(() => {
    db.close();
    t.cleanup();
  });

  it('grants files inside a library folder, with their real path and type', () => {
    expect(resolveMedia(db, path.join(lib, 'sub', 'a.wav'))).toEqual({ realPath: fs.realpathSync(path.join(lib, 'sub', 'a.wav')), size: 4, mimeType: 'audio/wav' });
  });

  it('grants a linked file the index recorded', () => {
    expect(resolveMedia(db, path.join(lib, 'indexed-link.wav')).realPath).toBe(fs.realpathSync(path.join(outside, 'linked-in.wav')));
  });

  it('refuses .. tricks, symlink escapes, folders, relative and missing paths, other files', () => {
    const refused = [
      path.join(lib, '..', 'private', 'secret.wav'),
      `${lib}/sub/../../private/secret.wav`,
      path.join(lib, 'escape.wav'),
      path.join(lib, 'escape-dir', 'secret.wav'),
      path.join(lib, 'sub'),
      'sub/a.wav',
      path.join(lib, 'missing.wav'),
      '/etc/passwd',
      `${lib}/sub/a.wav\0.txt`,
    ];
    for (const p of refused) expect(() => resolveMedia(db, p), p).toThrow(/Not a file in the library/);
  });
});
