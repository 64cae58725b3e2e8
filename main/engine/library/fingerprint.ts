import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';

const EDGE = 64 * 1024;

/**
 * A cheap content identity: size plus the first and last 64 KiB. It recognises a file that was
 * moved or renamed without reading it whole; a changed file almost always changes its header
 * (sizes, chunk lengths) or its tail.
 */
export async function fingerprint(file: string, size: number): Promise<string> {
  const hash = createHash('sha1');
  hash.update(String(size));
  const fh = await fs.open(file, 'r');
  try {
    const head = Buffer.alloc(Math.min(EDGE, size));
    await fh.read(head, 0, head.length, 0);
    hash.update(head);
    if (size > EDGE) {
      const tailLen = Math.min(EDGE, size - EDGE);
      const tail = Buffer.alloc(tailLen);
      await fh.read(tail, 0, tailLen, size - tailLen);
      hash.update(tail);
    }
  } finally {
    await fh.close();
  }
  return hash.digest('hex');
}
