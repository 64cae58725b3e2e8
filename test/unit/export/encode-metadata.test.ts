import { describe, expect, it } from 'vitest';
import { parseBext } from '../../../main/engine/audio/bwf';
import { parseIxml } from '../../../main/engine/audio/ixml';
import { parseVorbisComment } from '../../../main/engine/audio/vorbis-comment';
import { bextChunk, codingHistory } from '../../../main/engine/export/encode/bext';
import { dateText, sourceLabel, timeText } from '../../../main/engine/export/encode/fields';
import { ixmlDocument } from '../../../main/engine/export/encode/ixml';
import { utf8Fit } from '../../../main/engine/export/encode/text-field';
import { vorbisCommentBody, vorbisCommentTags } from '../../../main/engine/export/encode/vorbis-comment';
import { xmlEscape } from '../../../main/engine/export/encode/xml';
import { fullMetadata } from './encode-signals';

const audio = { sampleRate: 48000, channels: 2, bits: 24 };

describe('export metadata writers', () => {
  it('escapes the five XML markup characters and drops characters XML 1.0 cannot hold', () => {
    expect(xmlEscape(`a<b>&"c"'d'`)).toBe('a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;');
    expect(xmlEscape('tab\tnl\ncr\r bell\u0007 nul\u0000 ffff\uffff lone\ud800 emoji 🔊')).toBe('tab\tnl\ncr\r bell nul ffff lone emoji 🔊');
    expect(xmlEscape('&amp;')).toBe('&amp;amp;'); // already-escaped text is text, escaped again
  });

  it('writes iXML that parses back to exactly the values given, whatever characters they hold', () => {
    const nasty = `</USER><ASWG>x</ASWG> & "q" 'a' ]]> <!-- c -->`;
    const meta = fullMetadata({ title: nasty, notes: nasty, project: '<p>' });
    const xml = ixmlDocument(meta);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<BWFXML>\n')).toBe(true);
    expect(xml).not.toContain('</USER><ASWG>');
    const parsed = parseIxml(Buffer.from(xml, 'utf8'))!;
    expect((parsed.USER as Record<string, string>).TRACKTITLE).toBe(nasty);
    expect((parsed.USER as Record<string, string>).NOTES).toBe(nasty);
    expect((parsed.ASWG as Record<string, string>).notes).toBe(nasty);
    expect(parsed.PROJECT).toBe('<p>');
    // Every opening tag is closed in order: a strict stack check of the document.
    const stack: string[] = [];
    for (const m of xml.replace(/<\?xml[^>]*\?>/, '').matchAll(/<(\/?)([A-Za-z_][\w.-]*)>/g)) {
      if (m[1]) expect(stack.pop()).toBe(m[2]);
      else stack.push(m[2]);
    }
    expect(stack).toEqual([]);
  });

  it('writes bext v2 with fields cut at their sizes without splitting a UTF-8 character', () => {
    const long = 'é'.repeat(200); // 400 bytes
    const b = bextChunk(fullMetadata({ description: long, originator: 'Ö'.repeat(20), originatorReference: 'R'.repeat(40) }), audio);
    const bext = parseBext(b);
    expect(bext.description).toBe('é'.repeat(128)); // 256 bytes exactly
    expect(bext.originator).toBe('Ö'.repeat(16));
    expect(bext.originatorReference).toBe('R'.repeat(32));
    expect(bext.version).toBe(2);
    expect(utf8Fit('aé', 2).toString('utf8')).toBe('a'); // the 2-byte é would not fit whole
    expect(utf8Fit('a🔊b', 4).toString('utf8')).toBe('a');
  });

  it('stores loudness as round(value × 100), clamped into int16 below the 0x7FFF "unknown" code', () => {
    const meta = fullMetadata({ loudness: { integrated: -23.005, range: 400, truePeak: -400, samplePeak: null, momentaryMax: null, shortTermMax: Number.NEGATIVE_INFINITY } });
    const b = bextChunk(meta, audio);
    expect(b.readInt16LE(412)).toBe(Math.round(-23.005 * 100));
    expect(b.readInt16LE(414)).toBe(0x7ffe);
    expect(b.readInt16LE(416)).toBe(-0x8000);
    expect(b.readUInt16LE(418)).toBe(0x7fff);
    expect(b.readUInt16LE(420)).toBe(0x7fff);
    const back = parseBext(b);
    expect([back.loudnessRange, back.maxMomentaryLoudness, back.maxShortTermLoudness]).toEqual([327.66, null, null]);
    expect(b.subarray(338, 346).every((x) => x === 0)).toBe(true); // TimeReference 0
    expect(b.subarray(348, 412).every((x) => x === 0)).toBe(true); // UMID zero
    expect(b.subarray(422, 602).every((x) => x === 0)).toBe(true); // reserved
  });

  it('appends this export to any earlier coding history, one CR LF line each', () => {
    expect(codingHistory(fullMetadata(), { sampleRate: 44100, channels: 6, bits: 32 })).toBe('A=PCM,F=44100,W=32,M=multichannel,T=Cuebank\r\n');
    expect(codingHistory(fullMetadata({ codingHistory: 'A=PCM,F=96000,W=24,M=mono,T=Recorder\n' }), { sampleRate: 48000, channels: 1, bits: 16 })).toBe(
      'A=PCM,F=96000,W=24,M=mono,T=Recorder\r\nA=PCM,F=48000,W=16,M=mono,T=Cuebank\r\n',
    );
    expect(codingHistory(fullMetadata({ codingHistory: 'A=ANALOGUE' }), { sampleRate: 48000, channels: 2, bits: 24 })).toBe(
      'A=ANALOGUE\r\nA=PCM,F=48000,W=24,M=stereo,T=Cuebank\r\n',
    );
  });

  it('formats dates and times in UTC, and reduces library paths to their file name', () => {
    const d = new Date(Date.UTC(2026, 11, 31, 23, 59, 58));
    expect([dateText(d), timeText(d)]).toEqual(['2026-12-31', '23:59:58']);
    expect(sourceLabel('/home/a/lib/x.wav')).toBe('x.wav');
    expect(sourceLabel('C:\\Sounds\\y.flac')).toBe('y.flac');
    expect(sourceLabel('take-123')).toBe('take-123');
    expect(sourceLabel(undefined)).toBe('');
  });

  it('writes a Vorbis comment block our reader parses back, leaving empty fields out', () => {
    const tags = vorbisCommentTags(fullMetadata({ notes: '  ', keywords: ['a', ' ', 'b;c'] }));
    expect(tags.find(([k]) => k === 'COMMENT')).toBeUndefined();
    expect(tags.find(([k]) => k === 'KEYWORDS')).toEqual(['KEYWORDS', 'a, b;c']);
    const body = vorbisCommentBody('vendor ✓', tags);
    const info: Record<string, string> = {};
    parseVorbisComment(body, info);
    expect(Object.entries(info)).toEqual(tags);
    const dv = Buffer.from(body);
    expect(dv.toString('utf8', 4, 4 + dv.readUInt32LE(0))).toBe('vendor ✓');
    expect(() => vorbisCommentBody('v', [['BAD=KEY', 'x']])).toThrow(/Invalid Vorbis comment key/);
  });

  it('minimal metadata: no UCS, no loudness → only the fields that exist', () => {
    const tags = vorbisCommentTags({ title: 'Zap', origination: new Date(0), isLoop: true, isGenerated: false });
    expect(tags).toEqual([
      ['TITLE', 'Zap'],
      ['DATE', '1970-01-01'],
      ['ISGENERATED', 'false'],
      ['ISLOOP', 'true'],
      ['ENCODER', 'Cuebank'],
    ]);
  });
});
