import { describe, expect, it } from 'vitest';
import { parseIxml, parseXml } from '../../../main/engine/audio/ixml';

describe('tolerant XML parser', () => {
  it('maps elements to keys, text to trimmed strings, repeats to arrays (three and more too)', () => {
    expect(parseXml('<A><B> x </B><C>1</C><C>2</C><C>3</C><D><E>e</E></D></A>')).toEqual({
      A: { B: 'x', C: ['1', '2', '3'], D: { E: 'e' } },
    });
  });

  it('keeps repeated complex elements as an array of objects', () => {
    expect(parseXml('<L><T><N>a</N></T><T><N>b</N><N>c</N></T></L>')).toEqual({ L: { T: [{ N: 'a' }, { N: ['b', 'c'] }] } });
  });

  it('empty and self-closing elements are empty strings; attributes are ignored, even with > inside quotes', () => {
    expect(parseXml('<A><B></B><C/><D x="1 > 2" y=\'/\'>v</D><E a="b" /></A>')).toEqual({ A: { B: '', C: '', D: 'v', E: '' } });
  });

  it('decodes entities, numeric references and CDATA', () => {
    expect(parseXml('<A><B>a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos; &#65;&#x42; &bogus;</B><C><![CDATA[<raw> & stuff]]></C></A>')).toEqual({
      A: { B: 'a & b <c> "d" \'e\' AB &bogus;', C: '<raw> & stuff' },
    });
  });

  it('skips the prolog, comments, processing instructions and DOCTYPE (with internal subset)', () => {
    const xml = '\uFEFF<?xml version="1.0"?><!DOCTYPE BWFXML [ <!ENTITY x "y"> ]><!-- c <A>not</A> --><BWFXML><?pi stuff?><A>1<!-- mid --></A></BWFXML>';
    expect(parseXml(xml.replace('\uFEFF', ''))).toEqual({ BWFXML: { A: '1' } });
  });

  it('closes unclosed elements at the end and ignores stray closing tags', () => {
    expect(parseXml('<A><B>1</B></X><C>2')).toEqual({ A: { B: '1', C: '2' } });
    expect(parseXml('<A><B>1</A>')).toEqual({ A: { B: '1' } });
  });

  it('does not throw on garbage and returns what it could read', () => {
    expect(parseXml('')).toEqual({});
    expect(parseXml('just text')).toEqual({});
    expect(parseXml('<A>ok</A><')).toEqual({ A: 'ok' });
    expect(parseXml('<A><B x="unterminated></A>')).toEqual({ A: '' });
    expect(() => parseXml('<<<>>></></>&&&;<!--')).not.toThrow();
  });

  it('keeps text that sits beside child elements under #text', () => {
    expect(parseXml('<A>hello<B>b</B></A>')).toEqual({ A: { B: 'b', '#text': 'hello' } });
  });

  it('an element named __proto__ is plain data and does not touch prototypes', () => {
    const out = parseXml('<A><__proto__><polluted>yes</polluted></__proto__><constructor>c</constructor></A>') as Record<string, Record<string, unknown>>;
    expect(Object.keys(out.A)).toEqual(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(out.A)).toBe(Object.prototype);
  });
});

describe('parseIxml', () => {
  it('returns the root element content, from NUL-padded UTF-8 bytes with a BOM', () => {
    const bytes = Buffer.concat([Buffer.from('\uFEFF<BWFXML><SCENE>Über</SCENE></BWFXML>', 'utf8'), Buffer.alloc(20)]);
    expect(parseIxml(bytes)).toEqual({ SCENE: 'Über' });
  });

  it('returns null for a chunk without elements', () => {
    expect(parseIxml(Buffer.from('   \0\0'))).toBeNull();
  });

  it('keeps a text-only root under its name', () => {
    expect(parseIxml(Buffer.from('<BWFXML>text</BWFXML>'))).toEqual({ BWFXML: 'text' });
  });
});
