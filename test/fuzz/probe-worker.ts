/**
 * A child process that answers `meta` and `loudness` for one file at a time, exactly as the CLI
 * commands do (readMeta, measureFileLoudness), so the fuzz runner can hold each call to a time
 * limit by killing this process and starting another.
 */
import { performance } from 'node:perf_hooks';
import { measureFileLoudness, readMeta } from '../../main/engine/audio';
import { toErrorValue } from '../../main/engine/errors';

export interface ProbeRequest {
  file: string;
  op: 'meta' | 'loudness';
}

export interface ProbeReply {
  ok: boolean;
  value?: unknown;
  error?: { code: string; message: string };
  ms: number;
}

process.on('message', (req: ProbeRequest) => {
  const t = performance.now();
  const run = req.op === 'meta' ? readMeta(req.file) : measureFileLoudness(req.file);
  run.then(
    (value) => process.send!({ ok: true, value, ms: performance.now() - t } satisfies ProbeReply),
    (err: unknown) => process.send!({ ok: false, error: toErrorValue(err), ms: performance.now() - t } satisfies ProbeReply),
  );
});
process.send!({ ready: true });
