#!/usr/bin/env node
// No import cycles under main/ (run by `npm run lint`).
//
// Walks every .ts/.tsx/.cts/.mts file under the given roots (default: main/),
// reads its imports with the TypeScript scanner (import, import type, export
// ... from, import(), require()), resolves the relative ones to files, and
// finds the strongly connected components of the graph (Tarjan). Any component
// of more than one file, or a file that imports itself, is a cycle: it prints
// one concrete loop through it and exits 1.
//
// Type-only imports count too: a concern that imports its host's types is what
// makes the host hard to change, and a type cycle turns into a runtime one with
// the first value import. Fast (one scan per file, no type checking).
//
//   node scripts/check-cycles.mjs [DIR...]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const EXT = /\.(ts|tsx|cts|mts)$/;

/** Every source file under dir (tests included: they must not close a loop either). */
function walk(dir, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (EXT.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** A relative specifier to the file it names: `./x.js` → x.ts (or .tsx, …), `./dir` → dir/index.ts. */
function resolve(from, spec) {
  if (!spec.startsWith('.')) return null;
  const base = path.resolve(path.dirname(from), spec);
  const stem = base.replace(/\.(c|m)?jsx?$/, '');
  const candidates = [base, `${stem}.ts`, `${stem}.tsx`, `${stem}.cts`, `${stem}.mts`, path.join(base, 'index.ts'), path.join(base, 'index.tsx')];
  for (const c of candidates) if (EXT.test(c) && fs.existsSync(c) && fs.statSync(c).isFile()) return c;
  return null;
}

export function importGraph(files) {
  const set = new Set(files);
  const graph = new Map();
  for (const f of files) {
    const info = ts.preProcessFile(fs.readFileSync(f, 'utf8'), true, true);
    const deps = new Set();
    for (const i of info.importedFiles) {
      const r = resolve(f, i.fileName);
      if (r && set.has(r)) deps.add(r);
    }
    graph.set(f, [...deps]);
  }
  return graph;
}

/** Strongly connected components (Tarjan), iteratively so deep graphs can't overflow the stack. */
export function cycles(graph) {
  let next = 0;
  const index = new Map();
  const low = new Map();
  const onStack = new Set();
  const stack = [];
  const found = [];
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work = [[start, 0]];
    index.set(start, next);
    low.set(start, next++);
    stack.push(start);
    onStack.add(start);
    while (work.length) {
      const top = work[work.length - 1];
      const [v, i] = top;
      const deps = graph.get(v) ?? [];
      if (i < deps.length) {
        top[1]++;
        const w = deps[i];
        if (!index.has(w)) {
          index.set(w, next);
          low.set(w, next++);
          stack.push(w);
          onStack.add(w);
          work.push([w, 0]);
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1][0];
        low.set(parent, Math.min(low.get(parent), low.get(v)));
      }
      if (low.get(v) === index.get(v)) {
        const comp = [];
        let w;
        do {
          w = stack.pop();
          onStack.delete(w);
          comp.push(w);
        } while (w !== v);
        if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(comp);
      }
    }
  }
  return found;
}

/** One concrete loop inside a component: a shortest path from its first file back to itself. */
function loopIn(graph, comp) {
  const inside = new Set(comp);
  const first = [...comp].sort()[0];
  const prev = new Map([[first, null]]);
  const queue = [first];
  while (queue.length) {
    const v = queue.shift();
    for (const w of graph.get(v) ?? []) {
      if (!inside.has(w)) continue;
      if (w === first) {
        const loop = [first];
        for (let x = v; x !== null && x !== first; x = prev.get(x)) loop.splice(1, 0, x);
        return [...loop, first];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [first, first];
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const dirs = process.argv.slice(2);
  const roots = (dirs.length ? dirs : ['main']).map((d) => path.resolve(root, d));
  const t0 = Date.now();
  const files = roots.flatMap((d) => walk(d));
  const graph = importGraph(files);
  const found = cycles(graph);
  const rel = (f) => path.relative(root, f);
  if (found.length) {
    for (const comp of found) {
      console.error(`import cycle (${comp.length} file${comp.length > 1 ? 's' : ''}): ${loopIn(graph, comp).map(rel).join(' → ')}`);
      if (comp.length > 2) console.error(`  all files in it: ${comp.map(rel).sort().join(', ')}`);
    }
    console.error(
      `check-cycles: ${found.length} import cycle(s) under ${roots.map(rel).join(', ')}. Fix: move the shared piece (often a type) to a module both sides import, or pass it in as a dependency.`,
    );
    process.exit(1);
  }
  console.log(`check-cycles: no import cycle in ${files.length} files under ${roots.map(rel).join(', ')} (${Date.now() - t0} ms)`);
}
