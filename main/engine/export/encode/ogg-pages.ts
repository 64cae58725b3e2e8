import { oggCrc32 } from './crc';

/** One Ogg page (RFC 3533). */
export interface OggPage {
  /** 1 continued packet, 2 beginning of stream, 4 end of stream. */
  flags: number;
  /** Granule position; -1 when no packet ends on the page. */
  granule: bigint;
  serial: number;
  sequence: number;
  /** Segment table: packets are runs of 255s ended by a value below 255. */
  lacing: Uint8Array;
  body: Uint8Array;
}

const CONTINUED = 1;
const MAX_SEGMENTS = 255;

export function parseOggPages(b: Uint8Array): OggPage[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const pages: OggPage[] = [];
  let o = 0;
  while (o < b.length) {
    if (o + 27 > b.length || dv.getUint32(o, false) !== 0x4f676753) throw new Error(`Ogg stream has no page header at byte ${o}`);
    const segments = b[o + 26];
    const lacing = b.subarray(o + 27, o + 27 + segments);
    const size = lacing.reduce((n, l) => n + l, 0);
    const bodyAt = o + 27 + segments;
    if (bodyAt + size > b.length) throw new Error(`Ogg page at byte ${o} is cut short`);
    pages.push({
      flags: b[o + 5],
      granule: dv.getBigInt64(o + 6, true),
      serial: dv.getUint32(o + 14, true),
      sequence: dv.getUint32(o + 18, true),
      lacing,
      body: b.subarray(bodyAt, bodyAt + size),
    });
    o = bodyAt + size;
  }
  return pages;
}

/** Serialises a page with its CRC computed over the page with the CRC field zeroed. */
export function writeOggPage(p: OggPage): Buffer {
  const h = Buffer.alloc(27 + p.lacing.length);
  h.write('OggS', 0, 'latin1');
  h[4] = 0; // stream structure version
  h[5] = p.flags;
  h.writeBigInt64LE(p.granule, 6);
  h.writeUInt32LE(p.serial, 14);
  h.writeUInt32LE(p.sequence, 18);
  h[26] = p.lacing.length;
  h.set(p.lacing, 27);
  const page = Buffer.concat([h, p.body]);
  page.writeUInt32LE(oggCrc32(page), 22);
  return page;
}

/**
 * Packets of the stream in order, each with the index of the page on which it ends.
 * Stops after `count` packets.
 */
export function leadingPackets(pages: OggPage[], count: number): { packet: Uint8Array; endPage: number; endsPage: boolean }[] {
  const out: { packet: Uint8Array; endPage: number; endsPage: boolean }[] = [];
  let current: Uint8Array[] = [];
  for (let p = 0; p < pages.length && out.length < count; p++) {
    const { lacing, body } = pages[p];
    let at = 0;
    for (let s = 0; s < lacing.length && out.length < count; s++) {
      current.push(body.subarray(at, at + lacing[s]));
      at += lacing[s];
      if (lacing[s] < 255) {
        out.push({ packet: Buffer.concat(current), endPage: p, endsPage: s === lacing.length - 1 });
        current = [];
      }
    }
  }
  return out;
}

/**
 * Lays packets out on fresh pages (header packets: granule 0 where a packet ends, -1 elsewhere),
 * numbering them from `firstSequence`; the last page ends with the last packet.
 */
export function pagesForPackets(packets: Uint8Array[], serial: number, firstSequence: number): OggPage[] {
  const pages: OggPage[] = [];
  let lacing: number[] = [];
  let body: Uint8Array[] = [];
  let continued = false;
  let packetEnded = false;
  const flush = (nextContinued: boolean) => {
    pages.push({
      flags: continued ? CONTINUED : 0,
      granule: packetEnded ? 0n : -1n,
      serial,
      sequence: firstSequence + pages.length,
      lacing: Uint8Array.from(lacing),
      body: Buffer.concat(body),
    });
    lacing = [];
    body = [];
    continued = nextContinued;
    packetEnded = false;
  };
  for (const packet of packets) {
    // A packet of length 255k needs a final 0 segment to mark its end.
    const segments = Math.floor(packet.length / 255) + 1;
    for (let s = 0; s < segments; s++) {
      if (lacing.length === MAX_SEGMENTS) flush(s > 0);
      const len = s === segments - 1 ? packet.length - 255 * s : 255;
      lacing.push(len);
      body.push(packet.subarray(255 * s, 255 * s + len));
      if (s === segments - 1) packetEnded = true;
    }
  }
  if (lacing.length) flush(false);
  return pages;
}
