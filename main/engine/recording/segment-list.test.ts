import { describe, expect, it } from 'vitest';
import { LineSplitter, parseSegmentListLine } from './segment-list.js';

describe('segment list (csv)', () => {
  it('parses ffmpeg lines', () => {
    expect(parseSegmentListLine('mwwuh6mo-000001.mp4,5.900000,9.900000')).toEqual({ file: 'mwwuh6mo-000001.mp4', start: 5.9, end: 9.9 });
    expect(parseSegmentListLine('/a/b/x-000000.mp4,0.000000,4.000000\r')).toEqual({ file: '/a/b/x-000000.mp4', start: 0, end: 4 });
  });
  it('parses quoted file names', () => {
    expect(parseSegmentListLine('"a,b ""c"".mp4",1.5,2.5')).toEqual({ file: 'a,b "c".mp4', start: 1.5, end: 2.5 });
  });
  it('rejects garbage', () => {
    for (const l of ['', '   ', 'x.mp4', 'x.mp4,1', 'x.mp4,a,b', 'x.mp4,3,2', ',1,2', '"x.mp4,1,2', 'x.mp4,1,2,3'])
      expect(parseSegmentListLine(l), l).toBeNull();
  });
  it('splits lines across chunks, with \\r as an end of line when asked', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l), true);
    s.push('frame=  1\rframe=  2\rOpen');
    s.push("ing 'x' for writing\nlast");
    s.end();
    expect(lines).toEqual(['frame=  1', 'frame=  2', "Opening 'x' for writing", 'last']);
  });
});
