/**
 * Parsing ffmpeg's segment list (`-segment_list pipe:3 -segment_list_type
 * csv`): one line per closed segment, `filename,start_time,end_time`, times
 * in seconds of output stream time. Filenames with commas or quotes are
 * quoted CSV-style.
 */
export interface SegmentListEntry {
  file: string;
  start: number;
  end: number;
}

export function parseSegmentListLine(line: string): SegmentListEntry | null {
  const s = line.replace(/\r$/, '');
  if (!s.trim()) return null;
  let file: string;
  let rest: string;
  if (s.startsWith('"')) {
    let i = 1;
    let out = '';
    for (; i < s.length; i++) {
      const c = s[i]!;
      if (c === '"') {
        if (s[i + 1] === '"') {
          out += '"';
          i++;
        } else break;
      } else out += c;
    }
    if (s[i] !== '"' || s[i + 1] !== ',') return null;
    file = out;
    rest = s.slice(i + 2);
  } else {
    const k = s.indexOf(',');
    if (k < 0) return null;
    file = s.slice(0, k);
    rest = s.slice(k + 1);
  }
  const parts = rest.split(',');
  if (parts.length !== 2) return null;
  const start = Number(parts[0]);
  const end = Number(parts[1]);
  if (!Number.isFinite(start) || !Number.isFinite(end) || end < start || !file) return null;
  return { file, start, end };
}

/** Turns a byte stream into lines (for the segment list and stderr). */
export class LineSplitter {
  private rest = '';
  constructor(
    private readonly onLine: (line: string) => void,
    /** ffmpeg ends progress lines with \r: treat it as a line end too. */
    private readonly crIsEol = false,
  ) {}
  push(chunk: Buffer | string): void {
    const text = this.rest + chunk.toString();
    const parts = text.split(this.crIsEol ? /\r\n|\n|\r/ : /\n/);
    this.rest = parts.pop() ?? '';
    if (this.rest.length > 64 * 1024) this.rest = this.rest.slice(-64 * 1024);
    for (const p of parts) this.onLine(p);
  }
  end(): void {
    if (this.rest) this.onLine(this.rest);
    this.rest = '';
  }
}
