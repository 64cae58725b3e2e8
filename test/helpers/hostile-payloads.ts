/**
 * Random and hostile IPC payloads for the contract fuzz tests (fast-check): wrong types, the
 * channel's own keys with wrong values, prototype keys, huge strings, objects 10,000 deep, wide
 * objects and arrays. Built once: the big ones are shared, so thousands of calls stay cheap.
 */
import fc from 'fast-check';
import type { z } from 'zod';

/** Keys a request object may carry that have meaning to JavaScript itself. */
export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty'];

/** `{ a: { a: … } }` 10,000 deep, as text (JSON.stringify of it would recurse that deep). */
export const DEEP_OBJECT_JSON = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
export const DEEP_ARRAY_JSON = `${'['.repeat(10_000)}1${']'.repeat(10_000)}`;
const HUGE = 'x'.repeat(1 << 20);

/** Fixed hostile inputs; JSON text so each test can parse its own copy (JSON.parse keeps "__proto__" as an own key). */
export const HOSTILE_JSON: string[] = [
  DEEP_OBJECT_JSON,
  DEEP_ARRAY_JSON,
  `{"path":${DEEP_OBJECT_JSON},"paths":[${DEEP_ARRAY_JSON}]}`,
  JSON.stringify({ path: HUGE, paths: [HUGE], text: HUGE, name: HUGE, prompt: HUGE, projectId: HUGE }),
  JSON.stringify(HUGE),
  '{"__proto__":{"polluted":true,"path":"/etc/passwd"}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '{"prototype":{"polluted":true},"toString":"x","valueOf":1,"hasOwnProperty":null}',
  JSON.stringify(Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i]))),
  JSON.stringify(Array.from({ length: 100_000 }, (_, i) => i)),
  JSON.stringify({ paths: Array.from({ length: 100_000 }, () => '/tmp') }),
  '{"path":"\\u0000/etc/passwd","text":"\\ud800","limit":1e308,"points":-1,"weight":-0}',
  'null',
  'true',
  '0',
  '""',
  '[]',
];

/** Top-level keys of a channel's input schema (its object shape), for payloads that look almost right. */
export function schemaKeys(schema: z.ZodType): string[] {
  const s = schema as unknown as { shape?: object; def?: { innerType?: { shape?: object }; in?: { shape?: object } } };
  return Object.keys(s.shape ?? s.def?.innerType?.shape ?? s.def?.in?.shape ?? {});
}

/** Anything structured clone can carry (what Electron's IPC delivers to the router). */
export function anyPayload(keys: string[]): fc.Arbitrary<unknown> {
  const key = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom(...PROTO_KEYS, ...(keys.length ? keys : ['x'])));
  const anything = fc.anything({
    key,
    maxDepth: 2,
    maxKeys: 4,
    withBigInt: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
  });
  return fc.oneof(anything, fc.dictionary(key, anything, { maxKeys: 6 }));
}

/** JSON values only (what a WebSocket frame can carry), keyed like the channel's input. */
export function jsonPayload(keys: string[]): fc.Arbitrary<unknown> {
  const key = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom(...PROTO_KEYS, ...(keys.length ? keys : ['x'])));
  const value = fc.jsonValue({ maxDepth: 2 });
  return fc.oneof(value, fc.dictionary(key, value, { maxKeys: 6 }));
}
