/**
 * Samples that are not audio: a float file's NaN, ±Infinity, or values so large (±3e38) that they
 * can only be damage. One of them would make every loudness figure and every embedding of its
 * window meaningless (an all-NaN vector scores 0 in every search), so analysis reads them as
 * silence and the file's meta says how many there were.
 */

/** Beyond ±32768 (+90 dBFS): float audio may exceed full scale, but never by that much. */
export const MAX_SAMPLE = 32768;

/** Zeroes the samples of a[from, to) that are not audio; returns how many there were. */
export function zeroNonAudio(a: Float32Array, from = 0, to = a.length): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const v = a[i];
    // One comparison catches both: NaN fails it, and so do ±Infinity and huge values.
    if (!(v <= MAX_SAMPLE && v >= -MAX_SAMPLE)) {
      a[i] = 0;
      n++;
    }
  }
  return n;
}

/** The warning `meta` carries when samples were zeroed. */
export function nonAudioWarning(count: number): string {
  return `${count.toLocaleString('en-US')} sample${count === 1 ? ' was' : 's were'} not audio values (not a number, infinite, or beyond ±32768, i.e. above +90 dBFS); analysis read ${count === 1 ? 'it' : 'them'} as silence`;
}
