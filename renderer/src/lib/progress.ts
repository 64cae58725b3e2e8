/** A job's progress as a percentage with one decimal: 100 once done, null while its fraction is unknown. */
export function progressPercent(state: string, fraction: number | null | undefined): number | null {
  if (state === 'done') return 100;
  return fraction === null || fraction === undefined ? null : Math.round(fraction * 1000) / 10;
}
