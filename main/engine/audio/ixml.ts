import { MAX_XML_DEPTH } from './limits';
import { decodeText } from './text';

type XmlValue = string | XmlObject | XmlValue[];
interface XmlObject {
  [key: string]: XmlValue;
}

interface Open {
  name: string;
  text: string;
  children: XmlObject | null;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (m, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
    }
    return ENTITIES[e] ?? m;
  });
}

/** Sets a key without letting names like "__proto__" reach the prototype. */
function put(obj: XmlObject, key: string, value: XmlValue): void {
  if (Object.prototype.hasOwnProperty.call(obj, key)) {
    const prev = obj[key];
    if (Array.isArray(prev)) prev.push(value);
    else Object.defineProperty(obj, key, { value: [prev, value], enumerable: true, writable: true, configurable: true });
  } else {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  }
}

/**
 * Index of the '>' that ends a tag starting at `from`, skipping quoted attribute values; -1 when
 * a '<' comes first (no tag can contain one, quoted or not) or the text ends. Stopping at the
 * next '<' keeps the whole parse linear: each tag's scan ends where the next one could begin,
 * so input such as 100 KB of "< " cannot make every '<' scan to the end.
 */
function tagEnd(xml: string, from: number): number {
  let quote = '';
  for (let i = from; i < xml.length; i++) {
    const c = xml[i];
    if (c === '<') return -1;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return i;
  }
  return -1;
}

/**
 * A small tolerant XML reader for iXML and similar metadata: element names become keys, text
 * becomes string values (trimmed), repeated elements become arrays, attributes are ignored.
 * Broken input never throws: unclosed elements close at the end, stray closing tags are skipped.
 * Returns the document as `{ rootName: value }`.
 *
 * Linear in the input and never recursive: elements nested deeper than MAX_XML_DEPTH are not
 * opened (their text joins the deepest open element), so a 10,000-deep document neither
 * overflows a stack here nor yields an object too deep to store as JSON. `warnings` gets a
 * sentence when that happens.
 */
export function parseXml(xml: string, warnings?: string[]): XmlObject {
  const doc: Open = { name: '', text: '', children: null };
  const stack: Open[] = [doc];
  const close = (node: Open) => {
    const parent = stack[stack.length - 1];
    const text = node.text.trim();
    let value: XmlValue = text;
    if (node.children) {
      value = node.children;
      if (text) put(node.children, '#text', text);
    }
    parent.children ??= {};
    put(parent.children, node.name, value);
  };
  let i = 0;
  /** Elements opened beyond MAX_XML_DEPTH and not yet closed (their closing tags are skipped). */
  let tooDeep = 0;
  let deepest = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const top = stack[stack.length - 1];
    if (lt < 0) {
      top.text += decodeEntities(xml.slice(i));
      break;
    }
    if (lt > i) top.text += decodeEntities(xml.slice(i, lt));
    if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt + 4);
      i = end < 0 ? xml.length : end + 3;
    } else if (xml.startsWith('<![CDATA[', lt)) {
      const end = xml.indexOf(']]>', lt + 9);
      top.text += xml.slice(lt + 9, end < 0 ? xml.length : end);
      i = end < 0 ? xml.length : end + 3;
    } else if (xml.startsWith('<?', lt)) {
      const end = xml.indexOf('?>', lt + 2);
      i = end < 0 ? xml.length : end + 2;
    } else if (xml.startsWith('<!', lt)) {
      // A DOCTYPE, with an internal subset in [...] when a '[' comes before its '>'. The '['
      // is looked for only up to that '>', so a run of "<!x>" stays linear.
      const gt = xml.indexOf('>', lt);
      const bracket = gt < 0 ? -1 : xml.slice(lt, gt).indexOf('[');
      const end = bracket >= 0 ? xml.indexOf(']>', lt + bracket) + 1 : gt;
      i = end <= 0 ? xml.length : end + 1;
    } else if (xml[lt + 1] === '/') {
      const gt = xml.indexOf('>', lt);
      const name = xml.slice(lt + 2, gt < 0 ? xml.length : gt).trim();
      i = gt < 0 ? xml.length : gt + 1;
      if (tooDeep > 0) {
        tooDeep--;
        continue;
      }
      const at = stack.findLastIndex((n, k) => k > 0 && n.name === name);
      if (at > 0) while (stack.length > at) close(stack.pop()!);
    } else {
      const gt = tagEnd(xml, lt + 1);
      if (gt < 0) {
        // A tag cut off before the next '<' (or the end): dropped, and reading goes on from there.
        const next = xml.indexOf('<', lt + 1);
        i = next < 0 ? xml.length : next;
        continue;
      }
      const inner = xml.slice(lt + 1, gt);
      const name = inner.match(/^[^\s/>]+/)?.[0];
      i = gt + 1;
      if (!name) {
        top.text += '<';
        i = lt + 1;
        continue;
      }
      const selfClosing = inner.trimEnd().endsWith('/');
      if (stack.length > MAX_XML_DEPTH) {
        if (!selfClosing) tooDeep++;
        deepest = Math.max(deepest, stack.length - 1 + tooDeep); // the stack holds the document too
        continue;
      }
      const node: Open = { name, text: '', children: null };
      if (selfClosing) {
        stack.push(node);
        close(stack.pop()!);
      } else stack.push(node);
    }
  }
  while (stack.length > 1) close(stack.pop()!);
  if (deepest) warnings?.push(`The XML nests elements at least ${deepest} deep; elements deeper than ${MAX_XML_DEPTH} were read as text`);
  return doc.children ?? {};
}

/**
 * iXML chunk body -> the content of its root element (BWFXML), e.g. { PROJECT, SCENE, TAKE, SPEED: {...} }.
 * Returns null when the chunk holds no elements at all.
 */
export function parseIxml(bytes: Uint8Array, warnings?: string[]): Record<string, unknown> | null {
  let text = decodeText(bytes);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const found: string[] = [];
  const doc = parseXml(text, found);
  for (const w of found) warnings?.push(w.replace('The XML', 'The iXML metadata'));
  const roots = Object.values(doc);
  if (!roots.length) return null;
  const root = roots.length === 1 && !Array.isArray(roots[0]) ? roots[0] : doc;
  return typeof root === 'object' && !Array.isArray(root) ? root : { [Object.keys(doc)[0]]: root };
}
