import path from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

/**
 * The renderer's build. `base: './'` makes every asset URL relative, so the same build loads from
 * the web bridge (http://127.0.0.1:PORT/) and from Electron's app scheme (cuebank://app/).
 * Nothing inline is emitted (the CSP allows only 'self' scripts and styles): CSS goes to files,
 * the module-preload polyfill is off, and small assets are not turned into data: URLs.
 */
const here = import.meta.dirname;

export default defineConfig({
  root: here,
  base: './',
  publicDir: path.join(here, 'public'),
  plugins: [svelte({ configFile: false })],
  build: {
    outDir: path.resolve(here, '../dist/renderer'),
    emptyOutDir: true,
    target: 'chrome120',
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    reportCompressedSize: false,
  },
  server: { fs: { allow: [path.resolve(here, '..')] } },
});
