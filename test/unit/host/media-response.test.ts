import { describe, expect, it } from 'vitest';
import { mediaHead } from '../../../main/host/media-response';

const grant = { realPath: '/lib/a.wav', size: 1000, mimeType: 'audio/wav' };

describe('mediaHead (HTTP range for audio elements)', () => {
  it('sends the whole file without a Range', () => {
    expect(mediaHead(grant, undefined)).toMatchObject({ status: 200, range: { start: 0, end: 999 }, headers: { 'Content-Length': '1000', 'Accept-Ranges': 'bytes' } });
  });
  it('answers a range with 206 and Content-Range', () => {
    expect(mediaHead(grant, 'bytes=100-199')).toMatchObject({ status: 206, range: { start: 100, end: 199 }, headers: { 'Content-Range': 'bytes 100-199/1000', 'Content-Length': '100' } });
    expect(mediaHead(grant, 'bytes=900-')).toMatchObject({ status: 206, range: { start: 900, end: 999 } });
    expect(mediaHead(grant, 'bytes=-100')).toMatchObject({ status: 206, range: { start: 900, end: 999 } });
    expect(mediaHead(grant, 'bytes=990-5000')).toMatchObject({ status: 206, range: { start: 990, end: 999 } });
  });
  it('refuses a range outside the file with 416', () => {
    expect(mediaHead(grant, 'bytes=1000-')).toMatchObject({ status: 416, headers: { 'Content-Range': 'bytes */1000' } });
    expect(mediaHead(grant, 'bytes=500-100').status).toBe(416);
  });
  it('sends the whole file for multi-range or malformed headers', () => {
    expect(mediaHead(grant, 'bytes=0-1,5-6').status).toBe(200);
    expect(mediaHead(grant, 'items=0-1').status).toBe(200);
  });
});
