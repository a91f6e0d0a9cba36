import { describe, expect, it, vi } from 'vitest';
import { CliError, parse, parseTime, table } from './args.js';

describe('parseTime', () => {
  it('reads ISO 8601, "now" and relative times', () => {
    expect(parseTime('2026-11-26T08:00:00Z', '--from')).toBe(Date.parse('2026-11-26T08:00:00Z'));
    const now = Date.now();
    expect(Math.abs(parseTime('now', '--to') - now)).toBeLessThan(1000);
    expect(Math.abs(parseTime('-1h', '--from') - (now - 3600e3))).toBeLessThan(1000);
    expect(Math.abs(parseTime('-30m', '--from') - (now - 1800e3))).toBeLessThan(1000);
    expect(Math.abs(parseTime('-2d', '--from') - (now - 2 * 86400e3))).toBeLessThan(1000);
    expect(Math.abs(parseTime('-1h30m', '--from') - (now - 5400e3))).toBeLessThan(1000);
  });

  it('names the flag and shows the accepted forms on bad input', () => {
    expect(() => parseTime('yesterday', '--from')).toThrow(CliError);
    expect(() => parseTime('yesterday', '--from')).toThrow(/--from: "yesterday" is not a time; use ISO 8601/);
  });
});

describe('parse', () => {
  const opts = { name: { type: 'string' }, json: { type: 'boolean' } } as const;
  const help = [
    { flag: '--name NAME', help: 'a name' },
    { flag: '--json', help: 'print JSON' },
  ];

  it('returns values and positionals', () => {
    const r = parse(['--name', 'gate', 'extra', '--json'], 'x', opts, help, true);
    expect(r).toEqual({ values: { name: 'gate', json: true }, positionals: ['extra'] });
  });

  it('prints the usage for --help and returns null', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    expect(parse(['--help'], 'gatehouse thing [--name NAME]', opts, help)).toBeNull();
    const out = log.mock.calls.map((c) => c.join(' ')).join('\n');
    log.mockRestore();
    expect(out).toContain('Usage: gatehouse thing [--name NAME]');
    expect(out).toContain('--name NAME');
    expect(out).toContain('--help');
  });

  it('rejects unknown flags with the usage', () => {
    expect(() => parse(['--nmae', 'x'], 'gatehouse thing [--name NAME]', opts, help)).toThrow(/Unknown option '--nmae'[\s\S]*Usage: gatehouse thing/);
    try {
      parse(['--nmae', 'x'], 'u', opts, help);
    } catch (e) {
      expect((e as CliError).exitCode).toBe(2);
    }
  });

  it('takes relative times after a space, as the help documents (--from -5m)', () => {
    const t = { from: { type: 'string' }, to: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } } as const;
    const h = [{ flag: '--from TIME', help: 'from' }];
    expect(parse(['--from', '-5m', '--to', 'now'], 'u', t, h)!.values).toEqual({ from: '-5m', to: 'now' });
    expect(parse(['--from', '-1h30m', '--json'], 'u', t, h)!.values).toEqual({ from: '-1h30m', json: true });
    expect(parse(['--from=-2d'], 'u', t, h)!.values).toEqual({ from: '-2d' });
    expect(parse(['--to', '-0.5h', '--limit', '5'], 'u', t, h)!.values).toEqual({ to: '-0.5h', limit: '5' });
    // a flag that takes no value still refuses a stray dash argument
    expect(() => parse(['--json', '-5m'], 'u', t, h)).toThrow(CliError);
    // the next option is not swallowed as a value
    expect(() => parse(['--from', '--json'], 'u', t, h)).toThrow(CliError);
  });

  it('rejects positionals where none are expected', () => {
    expect(() => parse(['stray'], 'u', opts, help)).toThrow(CliError);
  });
});

describe('table', () => {
  it('aligns columns and trims trailing spaces', () => {
    expect(table(['ID', 'NAME'], [['a', 'Gate north'], ['long-id', '']])).toBe('ID       NAME\na        Gate north\nlong-id');
  });
});
