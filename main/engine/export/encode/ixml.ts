import type { ExportMetadata } from '../metadata';
import { SOFTWARE, categoryFull, decibelText, keywordText } from './fields';
import { elements } from './xml';

/** The iXML revision whose element set this writer follows. */
const IXML_VERSION = '2.10';

/**
 * An iXML document: PROJECT and NOTE from the iXML core, a USER block with the fields Soundminer,
 * BaseHead and the UCS tools read (TRACKTITLE, CATEGORY, SUBCATEGORY, CATID, CATEGORYFULL, FXNAME,
 * DESCRIPTION, NOTES, KEYWORDS, DESIGNER, LIBRARY, SHOW, USERCATEGORY, VENDORCATEGORY, EMBEDDER),
 * and an ASWG block (Sony ASWG-G006 iXML extension: camelCase names, text values, booleans as
 * "true"/"false", loudness in LUFS and peak in dBTP). Elements without a value are left out.
 */
export function ixmlDocument(meta: ExportMetadata): string {
  const ucs = meta.ucs;
  const l = meta.loudness;
  const project = meta.project ?? meta.library;
  const user = elements(
    [
      ['TRACKTITLE', meta.title],
      ['DESCRIPTION', meta.description],
      ['CATEGORY', ucs?.category],
      ['SUBCATEGORY', ucs?.subCategory],
      ['CATID', ucs?.catId],
      ['CATEGORYFULL', ucs && categoryFull(ucs)],
      ['FXNAME', ucs?.fxName],
      ['USERCATEGORY', ucs?.userCategory],
      ['VENDORCATEGORY', ucs?.vendorCategory],
      ['NOTES', meta.notes],
      ['KEYWORDS', keywordText(meta)],
      ['DESIGNER', meta.designer],
      ['LIBRARY', meta.library],
      ['SHOW', meta.project],
      ['EMBEDDER', SOFTWARE],
    ],
    '    ',
  );
  const aswg = elements(
    [
      ['contentType', 'sfx'],
      ['project', meta.project],
      ['originator', meta.designer ?? meta.originator],
      ['notes', meta.notes],
      ['category', ucs?.category],
      ['subCategory', ucs?.subCategory],
      ['catId', ucs?.catId],
      ['userCategory', ucs?.userCategory],
      ['vendorCategory', ucs?.vendorCategory],
      ['userData', ucs?.userData],
      ['fxName', ucs?.fxName],
      ['creatorId', ucs?.creatorId],
      ['sourceId', ucs?.sourceId],
      ['library', meta.library],
      ['isLoop', String(meta.isLoop)],
      ['isGenerated', String(meta.isGenerated)],
      ['loudness', decibelText(l?.integrated)],
      ['loudnessRange', decibelText(l?.range)],
      ['maxPeak', decibelText(l?.truePeak)],
    ],
    '    ',
  );
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<BWFXML>\n' +
    elements([['IXML_VERSION', IXML_VERSION], ['PROJECT', project], ['NOTE', meta.notes]], '  ') +
    `  <USER>\n${user}  </USER>\n` +
    `  <ASWG>\n${aswg}  </ASWG>\n` +
    '</BWFXML>\n'
  );
}
