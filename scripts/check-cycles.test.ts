import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { cycles, importGraph } from './check-cycles.mjs';

const script = path.join(import.meta.dirname, 'check-cycles.mjs');
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-cycles-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const write = (files: Record<string, string>) => {
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
};
const run = () => spawnSync(process.execPath, [script, dir], { encoding: 'utf8' });

describe('check-cycles (npm run lint)', () => {
  it('fails on a cycle through a type-only import, naming the loop', () => {
    write({
      'engine.ts': "import { a } from './concern/handlers.js';\nexport type Handlers = { x: number };\nexport const e = a;\n",
      'concern/handlers.ts': "import type { Handlers } from '../engine.js';\nexport const a: Handlers = { x: 1 };\n",
      'other.ts': "import { e } from './engine.js';\nexport const o = e;\n",
    });
    const r = run();
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/import cycle \(2 files\): .*concern\/handlers\.ts → .*engine\.ts → .*concern\/handlers\.ts/);
  });

  it('passes when the shared type lives in a module both sides import', () => {
    write({
      'concern.ts': 'export type Handlers = { x: number };\n',
      'engine.ts': "import { a } from './concern/handlers.js';\nexport const e = a;\n",
      'concern/handlers.ts': "import type { Handlers } from '../concern.js';\nexport const a: Handlers = { x: 1 };\n",
    });
    const r = run();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/no import cycle in 3 files/);
  });

  it('finds every strongly connected component, self-imports and dynamic imports included', () => {
    write({
      'a.ts': "export const a = () => import('./b.js');\n",
      'b.ts': "export * from './c.js';\n",
      'c.ts': "import './a.js';\n",
      'd.ts': "import './d.js';\n",
      'e.ts': "import './a.js';\n",
    });
    const files = ['a.ts', 'b.ts', 'c.ts', 'd.ts', 'e.ts'].map((f) => path.join(dir, f));
    const found: string[][] = cycles(importGraph(files));
    expect(found.map((c) => c.map((f) => path.basename(f)).sort())).toEqual(expect.arrayContaining([['a.ts', 'b.ts', 'c.ts'], ['d.ts']]));
    expect(found).toHaveLength(2);
  });
});
