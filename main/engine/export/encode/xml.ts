/**
 * Text for XML 1.0 element content: the five markup characters become entities, and characters XML
 * 1.0 cannot carry at all (C0 controls other than tab/LF/CR, lone surrogates, U+FFFE/U+FFFF) are
 * dropped, since no escape can represent them.
 */
export function xmlEscape(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** `<NAME>text</NAME>` lines for the entries with a value, indented. */
export function elements(entries: [string, string | undefined][], indent: string): string {
  return entries
    .filter((e): e is [string, string] => e[1] !== undefined && e[1].trim() !== '')
    .map(([name, value]) => `${indent}<${name}>${xmlEscape(value)}</${name}>\n`)
    .join('');
}
