// The import graph of platform/ and the house rules over it (docs/ARCHITECTURE.md), for
// platform/architecture.test.ts. Hand-written: a regex over import/export … from '…' lines is
// enough for our own code (one statement form, relative specifiers with .ts), and the only
// parser in node_modules (es-module-lexer, a vite dependency) reads JavaScript, not TypeScript,
// and is not ours to rely on.
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';

/** File → the files it imports, all as paths relative to platform/ ('../metadata/…' for outside). */
export type ImportGraph = Map<string, string[]>;

// `import … from '…'` and `export … from '…'` (type-only too, over several lines), and
// `import('…')`. Side-effect imports (`import './x.ts'`) we do not write.
const IMPORT = /(?:^|[\n;])\s*(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The relative specifiers a source file imports; packages ('hono', 'node:fs') are not ours to check. */
export function relativeImports(source: string): string[] {
  return [...source.matchAll(IMPORT)].map((m) => m[1] ?? m[2]).filter((s) => s.startsWith('.'));
}

/**
 * The production files under root: tests (*.test.ts) and testdata/ folders (plugin packages
 * and fixtures that tests load at run time) are left out.
 */
export function readImportGraph(root: string): ImportGraph {
  const graph: ImportGraph = new Map();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'testdata' && entry.name !== 'node_modules') walk(path);
      } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts')) {
        const file = relative(root, path).split(sep).join('/');
        const targets = relativeImports(readFileSync(path, 'utf8')).map((s) => posix.normalize(posix.join(posix.dirname(file), s)));
        graph.set(file, targets);
      }
    }
  };
  walk(root);
  return graph;
}

/** A folder ('records'), or a file at the top ('server.ts'): what the layer order ranks. */
export const unitOf = (file: string) => file.split('/')[0];

export interface Rules {
  /** Units lowest first: a unit may import only units before it. */
  layers: string[];
  /** Where files may reach outside platform/ ('../metadata/'). */
  outside: string[];
  /** Arrows allowed despite the rules, each with its reason: `${from} -> ${to}` of units. */
  exceptions: { from: string; to: string; why: string }[];
}

/** Every breach of the rules, one readable line each; empty when the graph keeps them. */
export function architectureProblems(graph: ImportGraph, rules: Rules): string[] {
  const problems: string[] = [];
  const excepted = (from: string, to: string) => rules.exceptions.some((e) => e.from === from && e.to === to);
  const rank = new Map(rules.layers.map((u, i) => [u, i]));
  const units = new Map<string, Set<string>>();
  for (const file of graph.keys()) {
    if (!rank.has(unitOf(file))) problems.push(`${file}: ${unitOf(file)} is not in the layer order`);
  }
  for (const [file, targets] of graph) {
    const from = unitOf(file);
    for (const target of targets) {
      if (target.startsWith('../')) {
        if (!rules.outside.some((o) => target.startsWith(o))) problems.push(`${file} imports ${target}, outside platform/`);
        continue;
      }
      const to = unitOf(target);
      if (to === from) continue;
      (units.get(from) ?? units.set(from, new Set()).get(from)!).add(to);
      if (excepted(from, to)) continue;
      if (to === 'testing') problems.push(`${file} imports test support ${target}`);
      else if (target.includes('/') && target !== `${to}/index.ts`) problems.push(`${file} imports ${target}, past ${to}/index.ts`);
      if ((rank.get(to) ?? -1) > (rank.get(from) ?? Infinity)) problems.push(`${file} imports ${target}: ${from} sits below ${to}`);
    }
  }
  const withoutExceptions = new Map([...units].map(([u, to]) => [u, [...to].filter((t) => !excepted(u, t))]));
  for (const cycle of cycles(withoutExceptions)) problems.push(`folders import each other: ${cycle.join(', ')}`);
  for (const cycle of cycles(graph)) problems.push(`files import each other: ${cycle.join(', ')}`);
  return problems;
}

/** The strongly connected components of more than one node (Tarjan), each sorted. */
export function cycles(edges: Map<string, Iterable<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return found;
}
