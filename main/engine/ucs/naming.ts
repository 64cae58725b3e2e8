/**
 * UCS file names: `CatID(-UserCategory)_(VendorCategory-)FXName_CreatorID_SourceID(_UserData)`.
 *
 * '_' separates the blocks and '-' joins the optional parts to their neighbours, so neither may
 * appear inside a part where it would move a boundary: '_' is removed from every part, '-' from
 * CatID, UserCategory, VendorCategory, CreatorID and SourceID (FXName keeps hyphens, "Sci-Fi", as
 * its block's first '-' belongs to the vendor category only when one is given). Characters no file
 * system accepts (`<>:"/\|?*`, control characters) are removed everywhere, and names never end in a
 * dot or a space (Windows drops them).
 */
export interface UcsNameParts {
  catId: string;
  userCategory?: string | null;
  vendorCategory?: string | null;
  fxName: string;
  creatorId: string;
  sourceId: string;
  userData?: string | null;
}

/** What a part falls back to when it is empty (CreatorID and SourceID are required blocks). */
export const UCS_PLACEHOLDER = 'NONE';
/** Longest file name (without extension) we produce: leaves room for " suffixes" and extensions under 255 bytes. */
export const MAX_BASENAME = 180;

const ILLEGAL = /[<>:"/\\|?*\u0000-\u001f\u007f]/g;

/** Removes what no file system accepts and collapses whitespace; '' when nothing is left. */
export function sanitizePathPart(text: string): string {
  return text.replace(ILLEGAL, ' ').replace(/\s+/g, ' ').trim().replace(/[. ]+$/, '');
}

/** FXName: file-safe, no '_', at most `maxLength` characters (cut at a word boundary where one is near). */
export function sanitizeFxName(text: string, maxLength: number): string {
  const clean = sanitizePathPart(text.replace(/_/g, ' '));
  if (clean.length <= maxLength) return clean;
  const cut = clean.slice(0, maxLength);
  const space = cut.lastIndexOf(' ');
  return (space >= maxLength * 0.6 ? cut.slice(0, space) : cut).replace(/[. -]+$/, '');
}

/** An ID-like part (CatID, CreatorID, SourceID, user/vendor category): file-safe, no '_' or '-'. */
export function sanitizeIdPart(text: string): string {
  return sanitizePathPart(text.replace(/[_-]/g, ' '));
}

/** UserData: file-safe, no '_' (it is the last block, so '-' is harmless). */
export function sanitizeUserData(text: string): string {
  return sanitizePathPart(text.replace(/_/g, ' '));
}

/** The parts as they appear in a file name: sanitised, FXName shortened, CreatorID/SourceID NONE when empty. */
export function sanitizeUcsParts(parts: UcsNameParts, fxNameMaxLength: number): Required<{ [K in keyof UcsNameParts]: string }> {
  return {
    catId: sanitizeIdPart(parts.catId).replace(/ /g, ''),
    userCategory: sanitizeIdPart(parts.userCategory ?? ''),
    vendorCategory: sanitizeIdPart(parts.vendorCategory ?? ''),
    fxName: sanitizeFxName(parts.fxName, fxNameMaxLength) || 'Untitled',
    creatorId: sanitizeIdPart(parts.creatorId) || UCS_PLACEHOLDER,
    sourceId: sanitizeIdPart(parts.sourceId) || UCS_PLACEHOLDER,
    userData: sanitizeUserData(parts.userData ?? ''),
  };
}

/** The UCS file name (no extension) of the parts; empty CreatorID/SourceID become NONE. */
export function ucsFileName(parts: UcsNameParts, fxNameMaxLength: number): string {
  const p = sanitizeUcsParts(parts, fxNameMaxLength);
  const first = p.userCategory ? `${p.catId}-${p.userCategory}` : p.catId;
  const second = p.vendorCategory ? `${p.vendorCategory}-${p.fxName}` : p.fxName;
  const name = [first, second, p.creatorId, p.sourceId, ...(p.userData ? [p.userData] : [])].join('_');
  return name.length > MAX_BASENAME ? name.slice(0, MAX_BASENAME).replace(/[. ]+$/, '') : name;
}

/** A plain (non-UCS) file name for items without a CatID: their sanitised name. */
export function plainFileName(name: string, maxLength = MAX_BASENAME): string {
  return sanitizePathPart(name).slice(0, maxLength).replace(/[. ]+$/, '') || 'Untitled';
}

/**
 * The n-th (n ≥ 2) alternative of a name for "keep both". It goes where UCS allows free text at
 * the end: a name without UserData gains `_<n>` (UserData "n"); one with UserData gets `-<n>`
 * appended to it. Plain names get `_<n>` as well. The CatID, FXName, CreatorID and SourceID stay intact.
 */
export function numberedName(base: string, n: number, hasUserData: boolean): string {
  return `${base}${hasUserData ? '-' : '_'}${n}`;
}

/** Variation k (1-based) of an item: a two-digit number after the FXName ("Door Slam 01"), UCS practice for variations. */
export function variationFxName(fxName: string, k: number, maxLength: number): string {
  const suffix = ` ${String(k).padStart(2, '0')}`;
  return `${sanitizeFxName(fxName, Math.max(1, maxLength - suffix.length))}${suffix}`;
}
