import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { listSupportedBackends } from 'onnxruntime-node';

/**
 * ONNX Runtime execution providers, per platform. transformers.js v4 turns its `device` option into
 * `session_options.executionProviders` (src/models/session.js: `executionProviders ??=`), and passes
 * session_options through to onnxruntime-node's InferenceSession.create, so Cuebank sets
 * executionProviders itself: one preferred accelerator plus 'cpu' (ONNX Runtime puts nodes the
 * accelerator cannot run on the CPU). If the accelerator fails to start (its libraries missing, no
 * device), the loader tries the next one and finally CPU alone, and says so in plain words.
 */

export type ExecutionProvider = 'cuda' | 'dml' | 'coreml' | 'webgpu' | 'cpu' | (string & {});

/** Accelerators worth trying on a platform, best first; CPU is always last. */
export function platformProviders(platform: NodeJS.Platform = process.platform, arch: string = process.arch): ExecutionProvider[] {
  switch (platform) {
    case 'linux':
      return arch === 'x64' ? ['cuda', 'cpu'] : ['cpu'];
    case 'win32':
      return ['cuda', 'dml', 'cpu'];
    case 'darwin':
      return ['coreml', 'cpu'];
    default:
      return ['cpu'];
  }
}

/**
 * Providers this onnxruntime-node build can start, or null if it cannot tell. A provider that is
 * not bundled (CUDA, TensorRT: their libraries are a separate install) counts only when its
 * library sits next to the ONNX Runtime binding, where ONNX Runtime looks for it.
 */
export function supportedBackends(): Set<string> | null {
  let list: { name: string; bundled: boolean }[];
  try {
    list = listSupportedBackends();
  } catch {
    return null;
  }
  const dir = bindingDir();
  return new Set(
    list
      .filter((b) => b.bundled || dir === null || providerLibraryPresent(dir, b.name))
      .map((b) => b.name),
  );
}

function bindingDir(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const root = path.dirname(require.resolve('onnxruntime-node/package.json'));
    const dir = path.join(root, 'bin', 'napi-v6', process.platform, process.arch);
    return fs.existsSync(dir) ? dir : null;
  } catch {
    return null;
  }
}

function providerLibraryPresent(dir: string, name: string): boolean {
  const file = process.platform === 'win32' ? `onnxruntime_providers_${name}.dll` : `libonnxruntime_providers_${name}.so`;
  return fs.existsSync(path.join(dir, file));
}

/**
 * The providers to try, in order, each attempt being [provider, 'cpu'] and the last ['cpu'].
 * Given a list (the user's setting), every provider in it is tried, so one that cannot start says
 * why; by default the platform's accelerators are tried when this ONNX Runtime build can start
 * them. CPU always comes last.
 */
export function providerPlan(
  preferred?: string[] | null,
  platform?: NodeJS.Platform,
  arch?: string,
  available: Set<string> | null = supportedBackends(),
): ExecutionProvider[] {
  const explicit = !!(preferred && preferred.length);
  const wanted = explicit ? preferred!.map((p) => p.toLowerCase()) : platformProviders(platform, arch);
  const plan: ExecutionProvider[] = [];
  for (const p of wanted) {
    if (p === 'cpu' || plan.includes(p)) continue;
    if (!explicit && available && !available.has(p)) continue;
    plan.push(p);
  }
  plan.push('cpu');
  return plan;
}

/**
 * Runs `start` with each provider of the plan in turn until one works. Each failure but the last
 * adds a plain-language notice naming the provider and the reason; the last failure is thrown.
 */
export async function startWithFallback<T>(
  plan: ExecutionProvider[],
  start: (provider: ExecutionProvider, executionProviders: string[]) => Promise<T>,
): Promise<{ value: T; provider: ExecutionProvider; notices: string[] }> {
  const notices: string[] = [];
  for (let i = 0; ; i++) {
    const provider = plan[i];
    try {
      const value = await start(provider, provider === 'cpu' ? ['cpu'] : [provider, 'cpu']);
      return { value, provider, notices };
    } catch (err) {
      if (i + 1 >= plan.length) throw err;
      notices.push(fallbackNotice(provider, plan[i + 1], err instanceof Error ? err.message : String(err)));
    }
  }
}

const LABEL: Record<string, string> = { cuda: 'CUDA', dml: 'DirectML', coreml: 'Core ML', webgpu: 'WebGPU', cpu: 'CPU' };
export const providerLabel = (p: string) => LABEL[p] ?? p;

/** The notice shown when a preferred provider failed and the next one is used instead. */
export function fallbackNotice(failed: string, next: string, reason: string): string {
  const why = reason.split('\n')[0].trim().slice(0, 200);
  return `${providerLabel(failed)} could not be used (${why}); using ${providerLabel(next)} instead.`;
}
