/**
 * Deterministic JSON for the manifest: object keys sorted by code point at
 * every level, two-space indentation, "\n" line ends and a final newline,
 * undefined members dropped, non-finite numbers refused. The same manifest
 * always serialises to the same bytes, so its SHA-256 can go into the audit
 * trail and be recomputed from the file.
 */
export function stableJson(value: unknown): string {
  return `${write(value, '')}\n`;
}

function write(value: unknown, indent: string): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`stableJson: ${value} has no JSON form`);
      return JSON.stringify(value);
    case 'bigint':
      return JSON.stringify(value.toString());
    case 'object': {
      const inner = `${indent}  `;
      if (Array.isArray(value)) {
        if (!value.length) return '[]';
        return `[\n${value.map((v) => inner + write(v, inner)).join(',\n')}\n${indent}]`;
      }
      if (value instanceof Date) return JSON.stringify(value.toISOString());
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj)
        .filter((k) => obj[k] !== undefined && typeof obj[k] !== 'function')
        .sort();
      if (!keys.length) return '{}';
      return `{\n${keys.map((k) => `${inner}${JSON.stringify(k)}: ${write(obj[k], inner)}`).join(',\n')}\n${indent}}`;
    }
    default:
      return 'null';
  }
}
