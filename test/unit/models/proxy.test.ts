/** Which requests go through HTTPS_PROXY / HTTP_PROXY, as curl and the hub's clients read NO_PROXY. */
import { describe, expect, it } from 'vitest';
import { bypassesProxy, proxyFor } from '../../../main/engine/models/hub/proxy';

describe('proxy selection', () => {
  const hub = new URL('https://huggingface.co/Xenova/clap-htsat-unfused/resolve/main/config.json');
  const mirror = new URL('http://hf-mirror.studio.internal:8080/x');

  it('uses HTTPS_PROXY for https and HTTP_PROXY for http, either case', () => {
    expect(proxyFor(hub, { HTTPS_PROXY: 'http://proxy:3128' })?.host).toBe('proxy:3128');
    expect(proxyFor(hub, { https_proxy: 'proxy:3128' })?.href).toBe('http://proxy:3128/');
    expect(proxyFor(mirror, { HTTPS_PROXY: 'http://proxy:3128' })).toBeNull();
    expect(proxyFor(mirror, { HTTP_PROXY: 'http://p2:8000' })?.host).toBe('p2:8000');
    expect(proxyFor(hub, {})).toBeNull();
  });

  it('honours NO_PROXY: *, hosts, domain suffixes and ports', () => {
    expect(bypassesProxy(hub, '*')).toBe(true);
    expect(bypassesProxy(hub, 'huggingface.co')).toBe(true);
    expect(bypassesProxy(hub, '.co')).toBe(true);
    expect(bypassesProxy(hub, 'face.co')).toBe(false);
    expect(bypassesProxy(mirror, 'studio.internal')).toBe(true);
    expect(bypassesProxy(mirror, 'studio.internal:9000')).toBe(false);
    expect(bypassesProxy(mirror, 'localhost, .studio.internal:8080')).toBe(true);
    expect(proxyFor(mirror, { HTTP_PROXY: 'http://p:1', NO_PROXY: '.internal' })).toBeNull();
  });
});
