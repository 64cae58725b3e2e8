import { z } from 'zod';

// Imported first by the renderer and the preload, before any contract schema exists. Zod compiles object parsers with
// `new Function` unless told not to, and probes for it while building schemas; the CSP forbids
// eval and Chromium reports even a caught attempt. Jitless parsing is plenty fast here.
z.config({ jitless: true });
