// Figures and their printing. A figure is a ratio or a per-unit size measured
// in this run, with an optional aim: { op: '<=' | '>=', value }.

export function figure(name, value, unit, aim, note) {
  const f = { name, value, unit };
  if (aim) f.aim = aim;
  if (note) f.note = note;
  if (aim && Number.isFinite(value)) f.meetsAim = aim.op === '<=' ? value <= aim.value : value >= aim.value;
  return f;
}

export function fmt(v, unit) {
  if (v === null || v === undefined || Number.isNaN(v)) return 'n/a';
  if (!Number.isFinite(v)) return String(v);
  switch (unit) {
    case '×':
      return `${v.toFixed(3)}×`;
    case '%':
      return `${v.toFixed(v >= 99 ? 3 : 1)} %`;
    case 'B':
      return v >= 10_240 ? `${(v / 1024).toFixed(1)} KiB` : `${Math.round(v)} B`;
    case 's':
      return `${v.toFixed(1)} s`;
    default:
      return `${Number.isInteger(v) ? v : v.toFixed(2)}${unit ? ` ${unit}` : ''}`;
  }
}

function aimText(f) {
  if (!f.aim) return '';
  return `${f.aim.op} ${fmt(f.aim.value, f.unit)}`;
}

export function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i] ?? '').length)));
  const line = (cells) => cells.map((c, i) => String(c ?? '').padEnd(widths[i])).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function printSection(title, result) {
  console.log(`\n== ${title} ==`);
  if (result.error) {
    console.log(`  FAILED: ${result.error}`);
    return;
  }
  if (result.lines?.length) for (const l of result.lines) console.log(`  ${l}`);
  if (result.figures?.length) {
    console.log('');
    console.log(
      table(
        ['FIGURE', 'VALUE', 'AIM', 'MEETS AIM'],
        result.figures.map((f) => [f.name, fmt(f.value, f.unit), aimText(f), f.aim ? (f.meetsAim ? 'yes' : 'NO') : '']),
      )
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n'),
    );
    for (const f of result.figures) if (f.note) console.log(`  · ${f.name}: ${f.note}`);
  }
}
