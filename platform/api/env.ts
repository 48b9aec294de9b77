import type { Principal } from '../auth/index.ts';

export type AppEnv = {
  Variables: {
    requestId: string;
    principal: Principal;
  };
};
