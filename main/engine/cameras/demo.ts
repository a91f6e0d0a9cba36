/**
 * Demo cameras: real video sources fed in real time from media that ships
 * with Gatehouse (assets/media). The ingest turns a demo:// URL into ffmpeg
 * input arguments; everything downstream (recording, live, detection)
 * treats them exactly like a network camera.
 */
export interface DemoSpec {
  name: string;
  url: string;
}

export const DEMO_CAMERAS: DemoSpec[] = [
  { name: 'DEMO Campus (vtest)', url: 'demo://vtest' },
  { name: 'DEMO Lawn (vtest +40 s)', url: 'demo://vtest-offset' },
  { name: 'DEMO Clock pattern', url: 'demo://pattern' },
  { name: 'DEMO Bars pattern', url: 'demo://bars' },
];

export const DEMO_KINDS = ['vtest', 'vtest-offset', 'pattern', 'bars'] as const;
export type DemoKind = (typeof DEMO_KINDS)[number];

export function demoKind(url: string): DemoKind | null {
  const m = /^demo:\/\/([a-z0-9-]+)$/.exec(url);
  if (!m) return null;
  return (DEMO_KINDS as readonly string[]).includes(m[1]!) ? (m[1] as DemoKind) : null;
}
