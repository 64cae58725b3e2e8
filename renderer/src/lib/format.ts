/** Small, pure formatting helpers for the library screen. */

/** The last segment of a POSIX or Windows path. */
export function baseName(p: string): string {
  const trimmed = p.replace(/[\\/]+$/, '');
  const i = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  return i >= 0 ? trimmed.slice(i + 1) : trimmed;
}

/** Everything before the last segment. */
export function dirName(p: string): string {
  const trimmed = p.replace(/[\\/]+$/, '');
  const i = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  return i > 0 ? trimmed.slice(0, i) : i === 0 ? trimmed.slice(0, 1) : '';
}

/** `path` relative to `root` when inside it (for compact folder labels), else the path itself. */
export function relativeTo(root: string, p: string): string {
  const r = root.replace(/[\\/]+$/, '');
  if (p === r) return '';
  if (p.startsWith(r + '/') || p.startsWith(r + '\\')) return p.slice(r.length + 1);
  return p;
}

/** Seconds as m:ss.cc (or h:mm:ss for an hour and more). */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  if (seconds >= 3600) {
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = Math.floor(seconds % 60);
    return `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  }
  const m = Math.floor(seconds / 60);
  const s = seconds - m * 60;
  return `${m}:${s.toFixed(2).padStart(5, '0')}`;
}

/** A short seconds label for a match window: 12.5 s. */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '–';
  return seconds < 10 ? `${seconds.toFixed(1)} s` : `${Math.round(seconds)} s`;
}

/** 48000 -> "48k", 44100 -> "44.1k", 22050 -> "22.05k". */
export function formatRate(hz: number): string {
  if (!hz) return '–';
  const k = hz / 1000;
  return `${Number.isInteger(k) ? k : Number(k.toFixed(2))}k`;
}

export function formatChannels(n: number): string {
  if (n === 1) return 'mono';
  if (n === 2) return 'stereo';
  return n > 0 ? `${n} ch` : '–';
}

/** "24-bit", or the codec's name when it has no bit depth (Vorbis, Opus, MP3). */
export function formatDepth(bits: number | null, codec: string): string {
  if (bits) return `${bits}-bit`;
  return formatCodec(codec) || '–';
}

/** A short codec label: "PCM", "float", "FLAC", "MP3", "Vorbis", "Opus". */
export function formatCodec(codec: string): string {
  const c = codec.trim().toLowerCase();
  if (!c) return '';
  if (/^pcm_f|float|ieee/.test(c)) return 'float';
  if (/^(l?pcm)(_[su]\d+[lb]e)?$|^pcm_/.test(c)) return 'PCM';
  const known: Record<string, string> = { flac: 'FLAC', mp3: 'MP3', vorbis: 'Vorbis', opus: 'Opus', aac: 'AAC', alac: 'ALAC' };
  return known[c] ?? (codec.length > 10 ? codec.slice(0, 10) : codec);
}

/** A whole-number count with separators. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** An ETA in words: "about 40 s", "3 min 10 s", "1 h 5 min". */
export function formatEta(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `about ${Math.max(1, s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** A library's total length: "12 min", "3.4 h", "48 s". */
export function formatTotal(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return '0 s';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(seconds < 36_000 ? 1 : 0)} h`;
}

/** Scores are similarities around 0..1; three decimals is what a user compares. */
export function formatScore(score: number): string {
  return Number.isFinite(score) ? score.toFixed(3) : '–';
}

/** A file:// URL for a local path (POSIX or Windows), each segment percent-encoded. */
export function fileUrl(p: string): string {
  const slashed = p.replace(/\\/g, '/');
  if (slashed.startsWith('//')) {
    // A UNC path: \\server\share\file -> file://server/share/file
    return `file:${slashed.split('/').map((seg, i) => (i < 2 ? seg : encodeURIComponent(seg))).join('/')}`;
  }
  const withRoot = /^[A-Za-z]:\//.test(slashed) ? `/${slashed}` : slashed;
  const encoded = withRoot
    .split('/')
    .map((seg, i) => (i === 1 && /^[A-Za-z]:$/.test(seg) ? seg : encodeURIComponent(seg)))
    .join('/');
  return `file://${encoded.startsWith('/') ? '' : '/'}${encoded}`;
}

/** Plural helper: plural(3, 'file') -> "3 files". */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${formatCount(n)} ${n === 1 ? word : many}`;
}
