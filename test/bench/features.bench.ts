/**
 * CLAP log-mel feature timings: `npx tsx test/bench/features.bench.ts [--runs 30]`.
 * One 10 s window at 48 kHz (1001 frames x 64 mels): transformers.js's ClapFeatureExtractor, the
 * plain-JS FastClapFeatures path and the WebAssembly SIMD path. Prints min / median per window over
 * the runs after warm-up; never passes or fails on time. Other work on the machine shows up in the
 * medians: the load average is printed before and after, repeat when it is high.
 */
import { ClapFeatureExtractor } from '@huggingface/transformers';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { FastClapFeatures } from '../../main/engine/models/clap-features';
import { PREPROCESSOR_CONFIG } from '../fixtures/clap-pack';
import { flag, machineLine } from './machine';

const RUNS = Number(flag('runs', '30'));
const WARMUP = 10;

type Extractor = ClapFeatureExtractor & ((audio: Float32Array) => Promise<unknown>);

async function time(fn: () => unknown): Promise<{ min: number; median: number }> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const ts: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await fn();
    ts.push(performance.now() - t);
  }
  ts.sort((a, b) => a - b);
  return { min: ts[0], median: ts[ts.length >> 1] };
}

function clip(n: number): Float32Array {
  const x = new Float32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    x[i] = 0.4 * Math.sin((2 * Math.PI * 220 * i) / 48_000) + 0.1 * (s / 2 ** 32 - 0.5);
  }
  return x;
}

const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

async function main() {
  console.log(`CLAP log-mel features, one 10 s window at 48 kHz, ${RUNS} runs after ${WARMUP} warm-up`);
  console.log(`${machineLine()} (${os.cpus()[0]?.model ?? '?'}, ${os.cpus().length} cores); load ${load()}\n`);
  const fe = new ClapFeatureExtractor(PREPROCESSOR_CONFIG) as Extractor;
  const w = clip(480_000);
  const out = new Float32Array(1001 * 64);
  // First, before anything has warmed up: building the kernel, and its first window (the
  // WebAssembly code starts in V8's baseline tier and is optimised after the first calls).
  let t = performance.now();
  const fast = FastClapFeatures.from(fe as never)!;
  const built = performance.now() - t;
  t = performance.now();
  fast.extract(w, out);
  const firstCall = performance.now() - t;
  console.log(`FastClapFeatures (${fast.kernel}): built in ${built.toFixed(1)} ms, first window ${firstCall.toFixed(1)} ms\n`);
  const js = FastClapFeatures.from(fe as never, { simd: false })!;
  const rows: [string, () => unknown][] = [
    ['ClapFeatureExtractor (reference)', () => fe(w)],
    [`FastClapFeatures, ${js.kernel}`, () => js.extract(w, out)],
  ];
  if (fast.kernel !== js.kernel) rows.push([`FastClapFeatures, ${fast.kernel}`, () => fast.extract(w, out)]);
  for (const [label, fn] of rows) {
    const r = await time(fn);
    console.log(`${label.padEnd(48)} min ${r.min.toFixed(2).padStart(6)} ms   median ${r.median.toFixed(2).padStart(6)} ms`);
    // The reference's ONNX matmul threads keep spinning for a moment after each call.
    await new Promise((res) => setTimeout(res, 300));
  }
  console.log(`\nload after: ${load()}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
