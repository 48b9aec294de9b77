// The dedupe plugin's quality on the labelled evaluation set (test/fixtures/dedupe), as a
// regression check: figures are in bench/RESULTS.md; these are the floors it must keep.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databases, startKizuna, type TestKizuna } from '../platform/testing/kizuna.ts';
import { evaluate, loadEvaluationSet, type Evaluation } from './dedupe-eval.ts';

describe.each(databases)('dedupe on the labelled evaluation set on %s', (kind) => {
  let k: TestKizuna;
  let results: Evaluation[];
  beforeAll(async () => {
    k = await startKizuna(kind);
    expect((await k.call('POST', '/api/plugins/dedupe/install')).status).toBe(201);
    results = await evaluate(k.call, await loadEvaluationSet(k.call));
  }, 240_000);
  afterAll(async () => k?.close());
  const of = (object: string) => results.find((r) => r.object === object)!;

  it('calls no pair likely that is not a duplicate (precision ≥ 0.95), per record and in the scan, symmetric and without chained groups', () => {
    for (const r of results) {
      expect(r.check.precision, r.object).toBeGreaterThanOrEqual(0.95);
      expect(r.scan.precision, r.object).toBeGreaterThanOrEqual(0.95);
      expect(r.asymmetric, r.object).toBe(0);
      expect(r.impure_groups, r.object).toBe(0);
    }
  });

  it('finds ≥ 90% of the duplicate companies as likely, and lists ≥ 90% of the duplicate contacts for review', () => {
    expect(of('company').check.recall).toBeGreaterThanOrEqual(0.9);
    expect(of('company').scan.recall).toBeGreaterThanOrEqual(0.9);
    // Most contact pairs the set labels duplicate share a name at one company and nothing
    // else, which the issue asks to call "possible", not "likely": they are listed, not acted on.
    expect(of('contact').check_possible.recall).toBeGreaterThanOrEqual(0.9);
    expect(of('contact').check_possible.precision).toBeGreaterThanOrEqual(0.95);
  });
});
