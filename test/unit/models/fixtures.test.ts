import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixtures, type FixtureSet } from '../../fixtures';
import { LIBRARY, renderSound } from '../../fixtures/sounds';
import { readWav, tempDir } from '../../integration/models/helpers';

let root: string;
let a: FixtureSet;

function walk(dir: string, base = dir): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name), base) : [path.relative(base, path.join(dir, e.name))]))
    .sort();
}

beforeAll(() => {
  root = tempDir('fixtures');
  a = writeFixtures(path.join(root, 'a'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('writeFixtures', () => {
  it('writes the pack, the library and library.json, the same bytes every run', () => {
    const b = writeFixtures(path.join(root, 'b'));
    const files = walk(a.outDir);
    expect(walk(b.outDir)).toEqual(files);
    expect(files).toEqual(
      expect.arrayContaining([
        'clap-fixture/config.json',
        'clap-fixture/cuebank.json',
        'clap-fixture/preprocessor_config.json',
        'clap-fixture/special_tokens_map.json',
        'clap-fixture/tokenizer.json',
        'clap-fixture/tokenizer_config.json',
        'clap-fixture/vocab.txt',
        'clap-fixture/onnx/text_model.onnx',
        'clap-fixture/onnx/text_model_quantized.onnx',
        'clap-fixture/onnx/audio_model.onnx',
        'clap-fixture/onnx/audio_model_quantized.onnx',
        'library.json',
      ]),
    );
    for (const f of files) expect(fs.readFileSync(path.join(b.outDir, f)).equals(fs.readFileSync(path.join(a.outDir, f))), f).toBe(true);
    // The quantized graphs really are other files.
    const pack = path.join(a.outDir, 'clap-fixture', 'onnx');
    expect(fs.readFileSync(path.join(pack, 'audio_model.onnx')).equals(fs.readFileSync(path.join(pack, 'audio_model_quantized.onnx')))).toBe(false);
  });

  it('replaces its own earlier output but refuses to clear a folder holding other files', () => {
    const dir = path.join(root, 'rerun');
    writeFixtures(dir);
    fs.writeFileSync(path.join(dir, 'library', 'sfx_999.wav'), 'stale'); // looks like ours: removed
    writeFixtures(dir);
    expect(fs.existsSync(path.join(dir, 'library', 'sfx_999.wav'))).toBe(false);
    fs.writeFileSync(path.join(dir, 'library', 'my-recording.wav'), 'precious');
    expect(() => writeFixtures(dir)).toThrow(/holds files the fixture generator did not write \(my-recording\.wav\)/);
    expect(fs.readFileSync(path.join(dir, 'library', 'my-recording.wav'), 'utf8')).toBe('precious');
  });

  it('lists every sound in library.json with its description, and covers formats, rates and lengths', () => {
    const entries = JSON.parse(fs.readFileSync(a.libraryJson, 'utf8'));
    expect(entries).toEqual(a.library);
    expect(entries.map((e: { file: string }) => e.file)).toEqual(LIBRARY.map((s) => s.file));
    expect(walk(a.libraryDir)).toEqual(LIBRARY.map((s) => s.file).sort());
    expect(entries.length).toBeGreaterThanOrEqual(20);
    const bytes = walk(a.libraryDir).reduce((n, f) => n + fs.statSync(path.join(a.libraryDir, f)).size, 0);
    expect(bytes).toBe(a.libraryBytes);
    expect(bytes).toBeLessThan(8e6);
    expect(new Set(LIBRARY.map((s) => s.sampleRate))).toEqual(new Set([22_050, 32_000, 44_100, 48_000, 96_000]));
    expect(new Set(LIBRARY.map((s) => s.channels))).toEqual(new Set([1, 2]));
    expect(new Set(LIBRARY.map((s) => s.format))).toEqual(new Set(['pcm16', 'pcm24', 'float32']));
    expect(Math.min(...LIBRARY.map((s) => s.seconds))).toBeLessThanOrEqual(0.5);
    expect(Math.max(...LIBRARY.map((s) => s.seconds))).toBeGreaterThan(20);
  });

  it('writes WAV files with the rate, channels, sample format and length their entry says', () => {
    for (const s of LIBRARY) {
      const w = readWav(path.join(a.libraryDir, s.file));
      expect(w.sampleRate, s.file).toBe(s.sampleRate);
      expect(w.channels.length, s.file).toBe(s.channels);
      expect([w.formatTag, w.bits], s.file).toEqual(s.format === 'float32' ? [3, 32] : [1, s.format === 'pcm16' ? 16 : 24]);
      expect(w.channels[0].length, s.file).toBe(Math.round(s.seconds * s.sampleRate));
      let peak = 0;
      for (const ch of w.channels) for (const v of ch) peak = Math.max(peak, Math.abs(v));
      expect(peak, s.file).toBeGreaterThan(0.001);
      expect(peak, s.file).toBeLessThan(1);
    }
  });

  it('writes on disk the same audio the tests synthesize in memory', () => {
    for (const s of LIBRARY.filter((x) => x.sampleRate === 48_000)) {
      const disk = readWav(path.join(a.libraryDir, s.file)).channels;
      const mem = renderSound(s).channels;
      // Two quantization steps: rounding, plus the reader's 2^(n-1) against the writer's 2^(n-1) - 1.
      const step = s.format === 'pcm16' ? 2 / 32767 : s.format === 'pcm24' ? 2 / 8388607 : 1e-7;
      for (let c = 0; c < mem.length; c++) {
        let d = 0;
        for (let i = 0; i < mem[c].length; i++) d = Math.max(d, Math.abs(mem[c][i] - disk[c][i]));
        expect(d, s.file).toBeLessThanOrEqual(step);
      }
    }
  });
});

describe('npm run fixtures', () => {
  const cli = (args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', path.join('test', 'fixtures', 'cli.ts'), ...args], { encoding: 'utf8', cwd: process.cwd() });

  it('writes the fixtures and prints one line', () => {
    const out = path.join(root, 'cli');
    const r = cli(['--out', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toMatch(new RegExp(`^fixtures: pack .*clap-fixture, ${LIBRARY.length} sounds \\(\\d+\\.\\d MB\\) in .*library, library\\.json; \\d+ ms\\n$`));
    expect(fs.existsSync(path.join(out, 'clap-fixture', 'onnx', 'audio_model.onnx'))).toBe(true);
    expect(fs.existsSync(path.join(out, 'library.json'))).toBe(true);
  });

  it('answers bad arguments with one clear line and a non-zero exit', () => {
    for (const args of [[], ['--out'], ['--bogus'], ['--out', path.join(root, 'x'), 'extra']]) {
      const r = cli(args);
      expect(r.status, args.join(' ')).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(/usage: npm run fixtures -- --out <dir>/);
    }
  });
});
