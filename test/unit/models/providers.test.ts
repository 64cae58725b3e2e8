import { describe, expect, it } from 'vitest';
import { fallbackNotice, platformProviders, providerPlan, startWithFallback } from '../../../main/engine/models';

describe('execution providers', () => {
  it('prefers each platform’s accelerator and always ends with CPU', () => {
    expect(platformProviders('linux', 'x64')).toEqual(['cuda', 'cpu']);
    expect(platformProviders('linux', 'arm64')).toEqual(['cpu']);
    expect(platformProviders('win32', 'x64')).toEqual(['cuda', 'dml', 'cpu']);
    expect(platformProviders('darwin', 'arm64')).toEqual(['coreml', 'cpu']);
    expect(platformProviders('freebsd', 'x64')).toEqual(['cpu']);
  });

  it('tries by default only the accelerators this ONNX Runtime build can start', () => {
    expect(providerPlan(null, 'win32', 'x64', new Set(['cpu', 'dml']))).toEqual(['dml', 'cpu']);
    expect(providerPlan(null, 'linux', 'x64', new Set(['cpu', 'webgpu']))).toEqual(['cpu']);
    expect(providerPlan(undefined, 'linux', 'x64', new Set(['cpu', 'cuda']))).toEqual(['cuda', 'cpu']);
    // Unknown build: try what the platform suggests.
    expect(providerPlan([], 'darwin', 'arm64', null)).toEqual(['coreml', 'cpu']);
  });

  it('tries every provider the user lists, in order, once, with CPU last', () => {
    expect(providerPlan(['CPU', 'cuda', 'dml', 'cuda'], 'linux', 'x64', new Set(['cpu']))).toEqual(['cuda', 'dml', 'cpu']);
  });

  it('falls back to the next provider with a plain-language notice', async () => {
    const tried: string[][] = [];
    const result = await startWithFallback(['cuda', 'dml', 'cpu'], async (p, eps) => {
      tried.push(eps);
      if (p !== 'cpu') throw new Error(`${p} library not found\nstack line`);
      return 'session';
    });
    expect(tried).toEqual([['cuda', 'cpu'], ['dml', 'cpu'], ['cpu']]);
    expect(result).toEqual({
      value: 'session',
      provider: 'cpu',
      notices: [
        'CUDA could not be used (cuda library not found); using DirectML instead.',
        'DirectML could not be used (dml library not found); using CPU instead.',
      ],
    });
    expect(fallbackNotice('coreml', 'cpu', 'no device')).toBe('Core ML could not be used (no device); using CPU instead.');
  });

  it('uses the first provider that starts and throws when even CPU fails', async () => {
    const ok = await startWithFallback(['cuda', 'cpu'], async (p) => p);
    expect(ok).toEqual({ value: 'cuda', provider: 'cuda', notices: [] });
    await expect(startWithFallback(['cuda', 'cpu'], async (p) => Promise.reject(new Error(`${p} broken`)))).rejects.toThrow('cpu broken');
  });
});
