/** The tagging knowledge base and captioning (seed 001): the area's public surface. */
export { KnowledgeBase, captionSpaceOf, type KnowledgeBaseDeps } from './knowledge-base';
export { captionFile, type CaptionDeps, type CaptionQuery, type CaptionResult, type CaptionRoute } from './caption';
export { EndpointCaptioner, createLalmCaptioner } from './lalm-captioner';
export { fileAudioVectors } from './file-audio';
export { kbSettingsOf, type KbHit, type KbSettings, type KbStats, type LalmCaptioner, type PairSource } from './types';
