// fieldsSet: what a batch hook's recheck covers (the fields it set), or null for the whole row.
import { describe, expect, it } from 'vitest';
import { fieldsSet } from './hooks.ts';

describe('fieldsSet', () => {
  const before = { name: 'Ann', count: 2, tags: ['a'], note: null };

  it('names the fields a hook added or changed, not the ones it kept', () => {
    expect(fieldsSet(before, { ...before, count: 3, mark: 'x' })).toEqual({ count: 3, mark: 'x', tags: ['a'] });
  });

  it('always names an object or array field: a hook may have changed it in place', () => {
    const row = { name: 'Ann', tags: ['a'] };
    row.tags.push('b');
    expect(fieldsSet(row, { ...row })).toEqual({ tags: ['a', 'b'] });
  });

  it('answers null (check the whole row) when a hook removed a field or set it to undefined', () => {
    expect(fieldsSet(before, { count: 2, tags: before.tags, note: null })).toBeNull();
    expect(fieldsSet(before, { ...before, name: undefined })).toBeNull();
    expect(fieldsSet(before, { ...before, extra: undefined })).toBeNull();
  });
});
