import { describe, expect, it } from 'vitest';
import { architectureProblems, cycles, relativeImports, type ImportGraph, type Rules } from './import-graph.ts';

const rules: Rules = { layers: ['db', 'records', 'api', 'testing'], outside: ['../metadata/'], exceptions: [] };
const graph = (edges: Record<string, string[]>): ImportGraph => new Map(Object.entries(edges));

describe('relativeImports', () => {
  it('finds imports and re-exports, type-only and over several lines, and dynamic imports, but not packages', () => {
    const source = [
      "import { a } from './a.ts';",
      "import type { B } from '../b/index.ts';",
      'import {',
      '  c,',
      '  type C,',
      "} from '../c/index.ts';",
      "export { d } from './d.ts';",
      "export type { E } from './e.ts';",
      "import { Hono } from 'hono';",
      "const f = await import('./f.ts');",
      "// import { g } from './g.ts' in a comment",
    ].join('\n');
    expect(relativeImports(source)).toEqual(['./a.ts', '../b/index.ts', '../c/index.ts', './d.ts', './e.ts', './f.ts']);
  });
});

describe('architectureProblems', () => {
  it('answers nothing for a graph that keeps the rules', () => {
    const ok = graph({
      'db/index.ts': [],
      'records/index.ts': ['records/service.ts'],
      'records/service.ts': ['db/index.ts', '../metadata/schema/x.json'],
      'api/app.ts': ['records/index.ts'],
    });
    expect(architectureProblems(ok, rules)).toEqual([]);
  });

  it('reports an upward arrow and the cycle between folders it makes', () => {
    const upward = graph({ 'db/index.ts': ['records/index.ts'], 'records/index.ts': ['db/index.ts'] });
    expect(architectureProblems(upward, rules)).toEqual([
      'db/index.ts imports records/index.ts: db sits below records',
      'folders import each other: db, records',
      'files import each other: db/index.ts, records/index.ts',
    ]);
  });

  it('reports an import past another folder’s index.ts, a production file using test support, and a reach outside platform/', () => {
    const bad = graph({
      'db/index.ts': [],
      'records/service.ts': ['db/pool.ts', 'testing/kizuna.ts', '../plugins/dedupe/server/index.ts'],
      'db/pool.ts': [],
      'testing/kizuna.ts': [],
    });
    expect(architectureProblems(bad, rules)).toEqual([
      'records/service.ts imports db/pool.ts, past db/index.ts',
      'records/service.ts imports test support testing/kizuna.ts',
      'records/service.ts imports testing/kizuna.ts: records sits below testing',
      'records/service.ts imports ../plugins/dedupe/server/index.ts, outside platform/',
    ]);
  });

  it('reports a folder missing from the layer order', () => {
    expect(architectureProblems(graph({ 'mail/index.ts': [] }), rules)).toEqual(['mail/index.ts: mail is not in the layer order']);
  });

  it('lets a declared exception through, and only that arrow', () => {
    const withException = { ...rules, exceptions: [{ from: 'db', to: 'records', why: 'test' }] };
    const g = graph({ 'db/index.ts': ['records/index.ts'], 'records/index.ts': [], 'api/index.ts': [], 'records/x.ts': ['api/index.ts'] });
    expect(architectureProblems(g, withException)).toEqual(['records/x.ts imports api/index.ts: records sits below api']);
  });
});

describe('cycles', () => {
  it('finds each cycle once, and none in a graph without one', () => {
    const edges = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
      ['e', ['e2']],
      ['e2', ['e']],
    ]);
    expect(cycles(edges)).toEqual([
      ['a', 'b', 'c'],
      ['e', 'e2'],
    ]);
    expect(
      cycles(
        new Map([
          ['a', ['b']],
          ['b', []],
        ]),
      ),
    ).toEqual([]);
  });
});
