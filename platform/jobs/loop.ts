// Background work on a node — taking queued jobs, delivering the outbox to plugins,
// dispatching workflow triggers — is a loop of passes that runs at most once at a time. It is
// kicked by a local write, by a notification of another node's commit, and by a timer (the
// safety net: a notification is lost with its connection). A kick while a pass runs makes it
// run once more afterwards, so no wake-up is lost between a pass's last read and its end; a
// pass that answers true ("there is more") runs again at once.
import { logEvent } from '../log/index.ts';

export interface LoopOptions {
  /** What the loop does, for the log of a pass that failed. */
  name: string;
  /** The safety-net poll; none: only kicks run it. */
  intervalMs?: number;
  /** Subscribes to wake-ups from elsewhere (a LISTEN); answers how to unsubscribe. */
  wake?: (kick: () => void) => Promise<() => Promise<void>>;
  /** False while the owner is stopped or not started: kicks do nothing, a running pass is the last. */
  enabled?: () => boolean;
}

export function createLoop(pass: () => Promise<boolean | void>, o: LoopOptions) {
  const enabled = o.enabled ?? (() => true);
  let running: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let unlisten: Promise<(() => Promise<void>) | undefined> | undefined;

  /** Runs a pass now, or once more after the running one; resolves when the loop has settled. */
  function kick(): Promise<void> {
    if (!enabled()) return running ?? Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          if (await pass()) again = true;
        } catch (e) {
          logEvent({ level: 'error', msg: `${o.name} failed`, error: String((e as Error)?.stack ?? e) });
        }
      } while (again && enabled());
    })().finally(() => (running = undefined));
    return running;
  }

  return {
    kick,
    /** Resolves when no pass is running. */
    idle: () => running ?? Promise.resolve(),
    /** Starts the timer and the wake-ups, and runs a first pass. */
    start(): void {
      if (o.intervalMs !== undefined && !timer) {
        timer = setInterval(() => void kick(), o.intervalMs);
        timer.unref();
      }
      if (o.wake && !unlisten) {
        unlisten = o
          .wake(() => void kick())
          .catch((e) => {
            logEvent({ level: 'warn', msg: `${o.name}: wake-ups unavailable, polling only`, error: String(e) });
            return undefined;
          });
      }
      void kick();
    },
    /** Stops the timer and the wake-ups and waits for the running pass (the owner disables kicks first). */
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = undefined;
      const off = await unlisten;
      unlisten = undefined;
      await off?.().catch(() => {});
      await running;
    },
  };
}

export type Loop = ReturnType<typeof createLoop>;
