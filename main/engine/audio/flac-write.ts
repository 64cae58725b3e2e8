import type { Piece } from './byte-pieces';
import { corrupt, unsupported } from './fail';
import type { HeaderSource } from './source';
import { joinVorbisComment, setVorbisComments, splitVorbisComment } from './vorbis-comment-write';

const STREAMINFO = 0;
const PADDING = 1;
const VORBIS_COMMENT = 4;
const MAX_BLOCK = 0xffffff;

interface Block {
  type: number;
  /** File offset of the block's body (after its 4-byte header). */
  at: number;
  length: number;
}

/** The metadata blocks of a native FLAC stream starting at `offset` ('fLaC'), and where the frames begin. */
export async function flacBlocks(src: HeaderSource, offset: number): Promise<{ blocks: Block[]; framesAt: number }> {
  const blocks: Block[] = [];
  let o = offset + 4;
  for (;;) {
    const h = await src.read(o, 4);
    if (h.length < 4) throw corrupt('Truncated FLAC file: its metadata ends before the audio frames');
    const length = (h[1] << 16) | (h[2] << 8) | h[3];
    if (o + 4 + length > src.size) throw corrupt('Truncated FLAC file: a metadata block ends past the end of the file');
    blocks.push({ type: h[0] & 0x7f, at: o + 4, length });
    o += 4 + length;
    if (h[0] & 0x80) return { blocks, framesAt: o };
  }
}

function blockHeader(type: number, length: number, last: boolean): Buffer {
  if (length > MAX_BLOCK) throw unsupported(`A FLAC metadata block cannot hold ${length} bytes (the most is ${MAX_BLOCK})`);
  return Buffer.from([(last ? 0x80 : 0) | type, length >> 16, (length >> 8) & 0xff, length & 0xff]);
}

/**
 * Plans the rewrite of a FLAC file with Vorbis comment fields set. Every other metadata block and
 * every audio frame is copied unchanged. The first PADDING block absorbs the change in size when it
 * has room, so the frames keep their offset; otherwise the padding stays and the frames move.
 * A missing comment block is added after STREAMINFO. Bytes before `offset` (an ID3v2 tag) are kept.
 */
export async function planFlacRewrite(src: HeaderSource, offset: number, set: [string, string][]): Promise<Piece[]> {
  const { blocks, framesAt } = await flacBlocks(src, offset);
  if (blocks[0]?.type !== STREAMINFO) throw corrupt('FLAC file does not start with a STREAMINFO block');
  const commentIndex = blocks.findIndex((b) => b.type === VORBIS_COMMENT);
  const old = commentIndex >= 0 ? blocks[commentIndex] : null;
  const raw = old ? splitVorbisComment(await src.read(old.at, old.length)) : { vendor: Buffer.from('Cuebank'), entries: [], rest: Buffer.alloc(0) };
  const comment = joinVorbisComment(setVorbisComments(raw, set));
  const grow = comment.length - (old ? old.length : -4); // a new block also takes a 4-byte header

  type Out = { type: number; body: Piece; length: number };
  const out: Out[] = blocks.map((b) => ({ type: b.type, body: { from: b.at, length: b.length }, length: b.length }));
  if (old) out[commentIndex] = { type: VORBIS_COMMENT, body: comment, length: comment.length };
  else out.splice(1, 0, { type: VORBIS_COMMENT, body: comment, length: comment.length });
  const pad = out.find((b) => b.type === PADDING);
  if (pad && pad.length - grow >= 0 && pad.length - grow <= MAX_BLOCK) {
    pad.length -= grow;
    pad.body = Buffer.alloc(pad.length);
  }
  const pieces: Piece[] = [];
  if (offset > 0) pieces.push({ from: 0, length: offset });
  pieces.push(Buffer.from('fLaC', 'latin1'));
  out.forEach((b, i) => pieces.push(blockHeader(b.type, b.length, i === out.length - 1), b.body));
  pieces.push({ from: framesAt, length: src.size - framesAt });
  return pieces;
}
