/** Sizes, speeds and times as the Models screen shows them. */
export function bytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)} kB`;
  return `${n} B`;
}

export const speed = (bytesPerSecond: number): string => (bytesPerSecond > 0 ? `${bytes(bytesPerSecond)}/s` : '—');

export function eta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return 'estimating…';
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s left`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min left`;
  return `${(seconds / 3600).toFixed(1)} h left`;
}

const PROVIDERS: Record<string, string> = { cuda: 'CUDA', dml: 'DirectML', coreml: 'Core ML', webgpu: 'WebGPU', cpu: 'CPU' };
export const providerName = (p: string): string => PROVIDERS[p] ?? p;
