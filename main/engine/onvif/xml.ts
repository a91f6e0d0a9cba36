/**
 * Tolerant XML reading for ONVIF answers. Cameras bind namespaces to any
 * prefix they like (tt:, ns2:, no prefix at all), so names are matched by
 * local name only, and every child may turn out to be one node or a list.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export type XNode = Record<string, unknown>;

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

export class XmlSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlSyntaxError';
  }
}

/** Parse XML text; throws XmlSyntaxError when it is not well-formed XML. */
export function parseXml(text: string): XNode {
  const v = XMLValidator.validate(text);
  if (v !== true) throw new XmlSyntaxError(`${v.err.msg} (line ${v.err.line}, column ${v.err.col})`);
  const doc = parser.parse(text) as unknown;
  if (!doc || typeof doc !== 'object') throw new XmlSyntaxError('no XML element found');
  return doc as XNode;
}

function isObj(v: unknown): v is XNode {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Look up a key by local name, case-insensitively as a last resort (some firmwares change case). */
function lookup(node: XNode, name: string): unknown {
  if (name in node) return node[name];
  const lower = name.toLowerCase();
  for (const k of Object.keys(node)) if (k.toLowerCase() === lower) return node[k];
  return undefined;
}

/** All values of child elements named `name` (a single child becomes a one-element list). */
export function all(node: unknown, name: string): unknown[] {
  if (!isObj(node)) return [];
  const v = lookup(node, name);
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** The first child element named `name`. */
export function child(node: unknown, name: string): unknown {
  return all(node, name)[0];
}

/** Follow a path of local names, taking the first match at each step. */
export function path(node: unknown, ...names: string[]): unknown {
  let cur = node;
  for (const n of names) {
    cur = child(cur, n);
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** Text content of an element (with or without attributes), or undefined. */
export function text(node: unknown): string | undefined {
  if (node === undefined || node === null) return undefined;
  if (typeof node === 'string') return node;
  if (typeof node === 'number' || typeof node === 'boolean') return String(node);
  if (Array.isArray(node)) return text(node[0]);
  if (isObj(node)) {
    const t = node['#text'];
    if (t !== undefined) return String(t);
    return '';
  }
  return undefined;
}

/** Text at a path of local names. */
export function textAt(node: unknown, ...names: string[]): string | undefined {
  return text(path(node, ...names));
}

/** An attribute by local name. */
export function attr(node: unknown, name: string): string | undefined {
  if (!isObj(node)) return undefined;
  const v = lookup(node, '@_' + name);
  return v === undefined ? undefined : String(v);
}

/** Depth-first search for the first element named `name` anywhere below `node`. */
export function find(node: unknown, name: string, depth = 0): unknown {
  if (depth > 64) return undefined;
  if (Array.isArray(node)) {
    for (const n of node) {
      const r = find(n, name, depth + 1);
      if (r !== undefined) return r;
    }
    return undefined;
  }
  if (!isObj(node)) return undefined;
  const direct = lookup(node, name);
  if (direct !== undefined) return direct;
  for (const [k, v] of Object.entries(node)) {
    if (k.startsWith('@_') || k === '#text') continue;
    const r = find(v, name, depth + 1);
    if (r !== undefined) return r;
  }
  return undefined;
}

/** Every element named `name` anywhere below `node`. */
export function findAll(node: unknown, name: string, out: unknown[] = [], depth = 0): unknown[] {
  if (depth > 64) return out;
  if (Array.isArray(node)) {
    for (const n of node) findAll(n, name, out, depth + 1);
    return out;
  }
  if (!isObj(node)) return out;
  for (const [k, v] of Object.entries(node)) {
    if (k.startsWith('@_') || k === '#text') continue;
    if (k === name || k.toLowerCase() === name.toLowerCase()) {
      if (Array.isArray(v)) out.push(...v);
      else out.push(v);
    } else findAll(v, name, out, depth + 1);
  }
  return out;
}

/** Escape text for an XML element or attribute. */
export function esc(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

export function num(s: string | undefined): number | null {
  if (s === undefined || s.trim() === '') return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

export function bool(s: string | undefined): boolean | null {
  if (s === undefined) return null;
  const v = s.trim().toLowerCase();
  if (['true', '1', 'active', 'on', 'high', 'closed', 'yes'].includes(v)) return true;
  if (['false', '0', 'inactive', 'off', 'low', 'open', 'no'].includes(v)) return false;
  return null;
}
