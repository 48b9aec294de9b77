// What every request carries through the Hono app: the API sets it, and plugin routes, mounted
// on the same app, read it (PluginRouteEnv builds on it). It lives here, below api/, so that
// the plugin SDK can name it without importing the API layer it sits under.
import type { Principal } from '../auth/index.ts';
import type { Logger } from '../log/index.ts';
import type { Actor } from '../records/index.ts';

export type AppEnv = {
  Variables: {
    requestId: string;
    /** The request's logger: every line it writes carries request_id. */
    log: Logger;
    principal: Principal;
    /** The caller as the records service sees it: user, permissions, request id. */
    actor: Actor;
  };
};
