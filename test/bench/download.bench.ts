/**
 * `npm run bench:download [-- --mb 64]`: the model manager's download from the local test hub
 * (test/fixtures/hub-server.ts) on loopback, so the figures are the client's own cost (HTTP, writing
 * the .part file, hashing it, the final rename), not a network's: a whole pack with one large LFS
 * graph, then the same pack resumed from half of that graph. Prints figures only; never passes or fails.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { HubClient } from '../../main/engine/models/hub/client';
import { findCatalogPack, parseCatalog } from '../../main/engine/models/hub/catalog';
import { downloadPack, stagingDir } from '../../main/engine/models/hub/download';
import { fixturePackFiles } from '../fixtures/clap-pack';
import { fixtureCatalog, HUB_COMMIT, HUB_PACK_ID, HUB_REPO } from '../fixtures/hub-catalog';
import { startHubServer } from '../fixtures/hub-server';
import { flag, machineLine } from './machine';

const MB = Number(flag('mb', '64'));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cuebank-bench-download-'));
const files = fixturePackFiles();
// The text graph stands in for a real one's size; the pack is downloaded, not loaded.
files.set('onnx/text_model.onnx', randomBytes(MB * 2 ** 20));
const total = [...files].filter(([p]) => !p.includes('_quantized')).reduce((a, [, v]) => a + v.length, 0);
const hub = await startHubServer({ [HUB_REPO]: { revision: 'main', commit: HUB_COMMIT, files } });
const pack = findCatalogPack(parseCatalog(fixtureCatalog()), HUB_PACK_ID);
const client = new HubClient({ endpoint: hub.url, env: {} });
const mbps = (bytes: number, ms: number) => ((bytes / 2 ** 20) / (ms / 1000)).toFixed(0);

try {
  console.log(`download bench: ${machineLine()}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  for (let run = 1; run <= 2; run++) {
    const models = path.join(dir, `full-${run}`);
    const t0 = performance.now();
    await downloadPack({ pack, modelsDir: models, client });
    const ms = performance.now() - t0;
    console.log(`whole pack, ${(total / 2 ** 20).toFixed(1)} MiB (8 files): ${ms.toFixed(0)} ms, ${mbps(total, ms)} MiB/s (fetch, write, sha256, rename)`);
  }

  // Resume: half of the large graph is already on disk (as a cancel or a crash leaves it).
  const models = path.join(dir, 'resume');
  hub.faults.set('onnx/text_model.onnx', { closeAfter: (MB * 2 ** 20) / 2, times: 1 });
  await downloadPack({ pack, modelsDir: models, client }).catch(() => undefined);
  const part = path.join(stagingDir(models, HUB_PACK_ID), 'pack', 'onnx', 'text_model.onnx.part');
  const kept = fs.statSync(part).size;
  const before = hub.bytesSent('onnx/text_model.onnx');
  const t0 = performance.now();
  const result = await downloadPack({ pack, modelsDir: models, client });
  const ms = performance.now() - t0;
  const fetched = hub.bytesSent('onnx/text_model.onnx') - before;
  console.log(
    `resume with ${(kept / 2 ** 20).toFixed(1)} of ${MB} MiB of the graph on disk: ${ms.toFixed(0)} ms; the server sent ${(fetched / 2 ** 20).toFixed(1)} MiB of the graph ` +
      `(resumedBytes ${(result.resumedBytes / 2 ** 20).toFixed(1)} MiB, not fetched again)`,
  );
} finally {
  await hub.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
