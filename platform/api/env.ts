import type { Principal } from '../auth/index.ts';
import type { Actor } from '../records/index.ts';

export type AppEnv = {
  Variables: {
    requestId: string;
    principal: Principal;
    /** The caller as the records service sees it: user, permissions, request id. */
    actor: Actor;
  };
};
