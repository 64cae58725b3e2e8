import { contentSecurityPolicy } from '../host/csp';

/** The scheme the renderer's audio streams from. */
export const MEDIA_SCHEME = 'cuebank-media';

/** The CSP header every renderer page is served with in the desktop app. */
export const RENDERER_CSP = contentSecurityPolicy({ media: [`${MEDIA_SCHEME}:`] });
