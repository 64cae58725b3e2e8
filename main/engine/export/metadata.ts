/** UCS fields of a file (Universal Category System 8.2.1). */
export interface UcsFields {
  catId: string; category: string; subCategory: string; fxName: string; creatorId: string; sourceId: string;
  userCategory?: string; vendorCategory?: string; userData?: string;
}
/** Measured loudness of the exported audio (LUFS / LU / dBTP / dBFS); null where undefined (silence). */
export interface LoudnessFields {
  integrated: number | null; range: number | null; truePeak: number | null; samplePeak: number | null;
  momentaryMax: number | null; shortTermMax: number | null;
}
/** Everything an exported file carries about itself: BWF bext v2 + iXML (USER, ASWG) for WAV, Vorbis comments for FLAC/Ogg. */
export interface ExportMetadata {
  title: string; description?: string; keywords?: string[]; designer?: string; library?: string; project?: string; notes?: string;
  originator?: string; originatorReference?: string; origination: Date; codingHistory?: string;
  loudness?: LoudnessFields; ucs?: UcsFields; isLoop: boolean; isGenerated: boolean;
  /** Where the audio came from (library file path or generated take id), for the manifest and tags. */
  source?: string;
}
