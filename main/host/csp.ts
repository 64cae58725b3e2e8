/**
 * The renderer's Content Security Policy, for both hosts: only the app's own scripts and styles,
 * no eval, no inline script, no plugins, no framing, network only to the host itself. Media comes
 * from the host's media route (the bridge's /media, Electron's cuebank-media: scheme).
 */
export function contentSecurityPolicy(extra: { media?: string[]; connect?: string[] } = {}): string {
  const directives: Record<string, string[]> = {
    'default-src': ["'none'"],
    'script-src': ["'self'"],
    'style-src': ["'self'"],
    'img-src': ["'self'", 'data:'],
    'font-src': ["'self'"],
    'media-src': ["'self'", ...(extra.media ?? [])],
    'connect-src': ["'self'", ...(extra.connect ?? [])],
    'base-uri': ["'none'"],
    'form-action': ["'none'"],
    'frame-ancestors': ["'none'"],
    'object-src': ["'none'"],
  };
  return Object.entries(directives)
    .map(([k, v]) => `${k} ${v.join(' ')}`)
    .join('; ');
}
