import { describe, expect, it } from 'vitest';
import { createLoop } from './loop.ts';

/** A promise and its resolve. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { opened, open };
}

describe('a background loop', () => {
  it('runs one pass at a time, and once more when kicked during a pass (no wake-up is lost)', async () => {
    const g = gate();
    let passes = 0;
    let concurrent = 0;
    let most = 0;
    const loop = createLoop(
      async () => {
        passes++;
        most = Math.max(most, ++concurrent);
        if (passes === 1) await g.opened;
        concurrent--;
      },
      { name: 'test' },
    );
    const first = loop.kick();
    void loop.kick();
    void loop.kick();
    g.open();
    await first;
    expect(passes).toBe(2); // the first, and one more for the kicks during it
    expect(most).toBe(1);
  });

  it('runs again at once while a pass says there is more, and logs a failed pass without stopping', async () => {
    let left = 3;
    let failed = false;
    const loop = createLoop(
      async () => {
        if (!failed) {
          failed = true;
          throw new Error('the database went away');
        }
        return --left > 0;
      },
      { name: 'test' },
    );
    await loop.kick();
    expect(left).toBe(3);
    await loop.kick();
    expect(left).toBe(0);
  });

  it('does nothing when kicked while disabled, and ends after the running pass when disabled meanwhile', async () => {
    let enabled = false;
    let passes = 0;
    const g = gate();
    const loop = createLoop(
      async () => {
        passes++;
        await g.opened;
        return true; // would go on for ever
      },
      { name: 'test', enabled: () => enabled },
    );
    await loop.kick();
    expect(passes).toBe(0);
    enabled = true;
    const running = loop.kick();
    enabled = false;
    g.open();
    await running;
    expect(passes).toBe(1);
  });

  it('is kicked by its timer and its wake-ups once started, and by neither once stopped', async () => {
    let passes = 0;
    let wake!: () => void;
    let unsubscribed = false;
    const loop = createLoop(
      async () => {
        passes++;
      },
      {
        name: 'test',
        intervalMs: 20,
        wake: async (kick) => {
          wake = kick;
          return async () => {
            unsubscribed = true;
          };
        },
      },
    );
    loop.start();
    await expect.poll(() => passes).toBeGreaterThanOrEqual(3);
    await loop.stop();
    expect(unsubscribed).toBe(true);
    const after = passes;
    await new Promise((r) => setTimeout(r, 100));
    expect(passes).toBe(after);
    wake(); // a kick by hand still runs a pass: stopping only ends the timer and the wake-ups
    await loop.idle();
    expect(passes).toBe(after + 1);
  });
});
