import type { MediaGrant } from '../../preload/contract';

export interface MediaHead {
  status: 200 | 206 | 416;
  headers: Record<string, string>;
  /** Inclusive byte range to send; absent for 416. */
  range?: { start: number; end: number };
}

/**
 * Status, headers and byte range for streaming a granted file, honouring a single HTTP Range
 * (what audio elements send to seek). Multi-range requests get the whole file.
 */
export function mediaHead(grant: MediaGrant, rangeHeader: string | null | undefined): MediaHead {
  const size = grant.size;
  const base = { 'Accept-Ranges': 'bytes', 'Content-Type': grant.mimeType, 'Cache-Control': 'no-store' };
  const m = rangeHeader ? /^bytes=(\d*)-(\d*)$/.exec(rangeHeader.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) {
    return { status: 200, headers: { ...base, 'Content-Length': String(size) }, range: size ? { start: 0, end: size - 1 } : undefined };
  }
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || end < start) {
    return { status: 416, headers: { ...base, 'Content-Range': `bytes */${size}` } };
  }
  return {
    status: 206,
    headers: { ...base, 'Content-Length': String(end - start + 1), 'Content-Range': `bytes ${start}-${end}/${size}` },
    range: { start, end },
  };
}
