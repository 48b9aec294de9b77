// The small part of autocannon's API the benchmark uses (the package ships no types).
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';
  interface Options {
    url: string;
    connections?: number;
    duration?: number;
    amount?: number;
    headers?: Record<string, string>;
    requests?: {
      method?: string;
      path?: string;
      body?: string;
      setupRequest?: (req: Record<string, unknown>, context: Record<string, unknown>) => Record<string, unknown> | undefined;
    }[];
  }
  interface Instance extends EventEmitter, PromiseLike<Record<string, unknown>> {
    stop(): void;
  }
  function autocannon(opts: Options): Instance;
  export default autocannon;
}
