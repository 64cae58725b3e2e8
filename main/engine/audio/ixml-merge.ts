import { xmlEscape } from '../export/encode/xml';
import { corrupt } from './fail';

/** Elements to set inside the iXML root's USER and ASWG blocks, in the order they are added when missing. */
export interface IxmlEdit {
  USER: [string, string][];
  ASWG: [string, string][];
}

interface Element {
  name: string;
  /** Index of '<' of the start tag, and the index just after the end tag. */
  start: number;
  end: number;
  /** Where the content sits (start tag's '>' + 1 .. '<' of the end tag); equal for <X/>. */
  contentStart: number;
  contentEnd: number;
  selfClosing: boolean;
  children: Element[];
}

/**
 * The root element with its children and their children (three levels), read in one linear pass
 * without recursion: iXML from recorders can be large and deeply nested, and only USER/ASWG and
 * their direct children matter here. Throws when the text is not well-formed enough to edit safely.
 */
function outline(xml: string): Element | null {
  const stack: Element[] = [];
  let root: Element | null = null;
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    if (lt < 0) break;
    if (xml.startsWith('<!--', lt)) i = after(xml, '-->', lt + 4);
    else if (xml.startsWith('<![CDATA[', lt)) i = after(xml, ']]>', lt + 9);
    else if (xml.startsWith('<?', lt)) i = after(xml, '?>', lt + 2);
    else if (xml.startsWith('<!', lt)) {
      const bracket = xml.indexOf('[', lt);
      const gt = xml.indexOf('>', lt);
      i = bracket >= 0 && bracket < gt ? after(xml, ']>', bracket) : after(xml, '>', lt);
    } else if (xml[lt + 1] === '/') {
      const gt = xml.indexOf('>', lt);
      if (gt < 0) throw notWellFormed('an end tag is not closed');
      const name = xml.slice(lt + 2, gt).trim();
      const open = stack.pop();
      if (!open || open.name !== name) throw notWellFormed(`</${name}> does not match <${open?.name ?? 'nothing'}>`);
      open.contentEnd = lt;
      open.end = gt + 1;
      i = gt + 1;
    } else {
      const gt = tagEnd(xml, lt + 1);
      if (gt < 0) throw notWellFormed('a start tag is not closed');
      const inner = xml.slice(lt + 1, gt);
      const name = inner.match(/^[^\s/>]+/)?.[0];
      if (!name) throw notWellFormed(`a '<' at character ${lt} starts no element`);
      const selfClosing = inner.trimEnd().endsWith('/');
      const el: Element = { name, start: lt, end: gt + 1, contentStart: gt + 1, contentEnd: gt + 1, selfClosing, children: [] };
      const parent = stack[stack.length - 1];
      if (!parent) {
        if (root) throw notWellFormed('there is more than one root element');
        root = el;
      } else if (stack.length <= 2) parent.children.push(el); // only root > block > field is kept
      if (!selfClosing) stack.push(el);
      i = gt + 1;
    }
  }
  if (stack.length) throw notWellFormed(`<${stack[stack.length - 1].name}> is never closed`);
  return root;
}

function after(xml: string, token: string, from: number): number {
  const at = xml.indexOf(token, from);
  if (at < 0) throw notWellFormed(`'${token}' is missing`);
  return at + token.length;
}

/** Index of the '>' that ends a tag starting at `from`, skipping quoted attribute values. */
function tagEnd(xml: string, from: number): number {
  let quote = '';
  for (let i = from; i < xml.length; i++) {
    const c = xml[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return i;
  }
  return -1;
}

function notWellFormed(why: string) {
  return corrupt(`The file's iXML chunk is not well-formed XML (${why}); it is left as it is and no tags were written`);
}

interface Splice {
  at: number;
  end: number;
  text: string;
}

/** The whitespace that starts the line `at` is on, when only whitespace precedes `at` on it. */
function lineIndent(xml: string, at: number): string | null {
  const nl = xml.lastIndexOf('\n', at - 1);
  const lead = xml.slice(nl + 1, at);
  return /^[ \t]*$/.test(lead) ? lead : null;
}

const field = (name: string, value: string) => `<${name}>${xmlEscape(value)}</${name}>`;

/** Adds lines before an element's end tag (at its line start when it sits on a line of its own). */
function insertBefore(xml: string, close: number, lines: string[], childIndent: string): Splice {
  const indent = lineIndent(xml, close);
  if (indent === null) return { at: close, end: close, text: lines.join('') };
  const lineStart = close - indent.length;
  return { at: lineStart, end: lineStart, text: lines.map((l) => `${childIndent}${l}\n`).join('') };
}

function blockText(name: string, fields: [string, string][], indent: string, childIndent: string): string {
  return `${indent}<${name}>\n${fields.map(([k, v]) => `${childIndent}${field(k, v)}\n`).join('')}${indent}</${name}>\n`;
}

const IXML_VERSION = '2.10';

/** A new iXML document holding only the edited blocks. */
export function newIxml(edit: IxmlEdit): string {
  const blocks = (['USER', 'ASWG'] as const).filter((b) => edit[b].length).map((b) => blockText(b, edit[b], '  ', '    '));
  return `<?xml version="1.0" encoding="UTF-8"?>\n<BWFXML>\n  ${field('IXML_VERSION', IXML_VERSION)}\n${blocks.join('')}</BWFXML>\n`;
}

/**
 * Sets elements of the USER and ASWG blocks in an existing iXML document and keeps every other
 * character as it was: a field present is replaced in place (later duplicates of it removed, so it
 * reads back as one value), a missing field is added at the end of its block, a missing block at the
 * end of the root. One pass to outline, one to splice: linear in the document's length.
 */
export function mergeIxml(xml: string, edit: IxmlEdit): string {
  const root = outline(xml);
  if (!root) {
    if (xml.trim() === '' || /^\s*<\?xml[^>]*\?>\s*$/.test(xml)) return newIxml(edit);
    throw notWellFormed('it has no root element');
  }
  const splices: Splice[] = [];
  const rootIndent = lineIndent(xml, root.start) ?? '';
  const blockIndent = guessIndent(xml, root.children, `${rootIndent}  `);
  for (const name of ['USER', 'ASWG'] as const) {
    const fields = edit[name];
    if (!fields.length) continue;
    const block = root.children.find((c) => c.name === name);
    if (!block) {
      if (root.selfClosing) continue; // handled below
      const close = root.contentEnd;
      const indent = lineIndent(xml, close);
      const text = blockText(name, fields, blockIndent, `${blockIndent}  `);
      splices.push(indent === null ? { at: close, end: close, text: `\n${text}` } : { at: close - indent.length, end: close - indent.length, text });
      continue;
    }
    const ownIndent = lineIndent(xml, block.start) ?? blockIndent;
    if (block.selfClosing) {
      const text = blockText(name, fields, ownIndent, `${ownIndent}  `);
      splices.push({ at: block.start, end: block.end, text: text.slice(ownIndent.length).replace(/\n$/, '') });
      continue;
    }
    const childIndent = guessIndent(xml, block.children, `${ownIndent}  `);
    const missing: string[] = [];
    for (const [key, value] of fields) {
      const found = block.children.filter((c) => c.name === key);
      if (!found.length) {
        missing.push(field(key, value));
        continue;
      }
      splices.push({ at: found[0].start, end: found[0].end, text: field(key, value) });
      for (const dup of found.slice(1)) splices.push({ at: dup.start, end: dup.end, text: '' });
    }
    if (missing.length) splices.push(insertBefore(xml, block.contentEnd, missing, childIndent));
  }
  if (root.selfClosing) {
    const inner = (['USER', 'ASWG'] as const).filter((b) => edit[b].length).map((b) => blockText(b, edit[b], '  ', '    '));
    splices.push({ at: root.start, end: root.end, text: `<${root.name}>\n${inner.join('')}</${root.name}>` });
  }
  splices.sort((a, b) => a.at - b.at);
  let out = '';
  let at = 0;
  for (const s of splices) {
    out += xml.slice(at, s.at) + s.text;
    at = s.end;
  }
  return out + xml.slice(at);
}

function guessIndent(xml: string, siblings: Element[], fallback: string): string {
  for (const s of siblings) {
    const indent = lineIndent(xml, s.start);
    if (indent !== null) return indent;
  }
  return fallback;
}
