import { describe, expect, it } from 'vitest';
import { uuidv7 } from './uuid.ts';

describe('uuidv7', () => {
  it('is a version 7, variant 1 UUID carrying the time, increasing and unique within a process', () => {
    const now = Date.now();
    const ids = Array.from({ length: 50_000 }, () => uuidv7());
    for (const id of ids.slice(0, 100)) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((v, i) => i === 0 || ids[i - 1] < v)).toBe(true);
    const ms = parseInt(ids[0].replace(/-/g, '').slice(0, 12), 16);
    expect(Math.abs(ms - now)).toBeLessThan(5_000);
    expect(uuidv7(Date.UTC(2030, 0, 1)).slice(0, 13)).toBe(
      `${Date.UTC(2030, 0, 1).toString(16).padStart(12, '0').slice(0, 8)}-${Date.UTC(2030, 0, 1).toString(16).padStart(12, '0').slice(8)}`,
    );
  });

  it('keeps the random bits random', () => {
    const tails = new Set(Array.from({ length: 1000 }, () => uuidv7().slice(19)));
    expect(tails.size).toBe(1000);
  });
});
