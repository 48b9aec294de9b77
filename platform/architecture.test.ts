// Arrows point down (docs/ARCHITECTURE.md): the import graph of platform/'s production files
// keeps the layer order, goes into other folders only through their index.ts, never reaches
// test support, and has no cycles between folders or between files.
import { describe, expect, it } from 'vitest';
import { architectureProblems, readImportGraph, type Rules } from './testing/import-graph.ts';

const rules: Rules = {
  // Lowest first; each may import only those before it. server.ts is the composition root,
  // main.ts and cli/ the entry points; testing/ starts real servers for tests.
  layers: [
    'log',
    'problems',
    'db',
    'formula',
    'model',
    'schema',
    'events',
    'jobs',
    'metadata',
    'auth',
    'query',
    'records',
    'search',
    'views',
    'imports',
    'workflow',
    'plugins',
    'api',
    'studio',
    'server.ts',
    'main.ts',
    'cli',
    'testing',
  ],
  // The metadata language (JSON meta-schemas) sits under all of platform/.
  outside: ['../metadata/'],
  // Arrows kept despite the rules until a redesign removes them, each with its reason. None today.
  exceptions: [],
};

describe('platform import graph', () => {
  it('keeps the layer order, goes through index.ts, leaves test support alone and has no cycles', () => {
    const graph = readImportGraph(import.meta.dirname);
    expect(graph.size).toBeGreaterThan(100);
    expect(architectureProblems(graph, rules)).toEqual([]);
  });
});
