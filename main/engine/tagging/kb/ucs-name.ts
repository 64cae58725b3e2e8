/**
 * The FXName of a UCS file name, `CatID(-UserCategory)_(VendorCategory-)FXName_CreatorID_SourceID(_UserData)`:
 * a short description of the sound its author wrote. A name counts as UCS only when its first block
 * starts with a CatID the UCS list knows, so "Take_0412_A_B" is not mistaken for one.
 */
export function ucsFxName(baseName: string, isCatId: (id: string) => boolean): string | null {
  const blocks = baseName.split('_');
  if (blocks.length < 4) return null;
  const catId = blocks[0].split('-')[0];
  if (!catId || !isCatId(catId)) return null;
  // A vendor category, when present, is joined by the block's first '-'; FXNames keep their own
  // hyphens ("Sci-Fi"), so the whole block is read as words either way.
  const fx = blocks[1].replace(/-/g, ' ').replace(/\s+/g, ' ').trim();
  return fx || null;
}
