// /api/auth/password-link: the page a one-time link opens (an invitation or a reset) asks who
// it is for, then sets the password with it and signs the person in. No credentials needed:
// the token is the credential, sent in the body (never in a URL, so never in a log).
import { Hono } from 'hono';
import type { PasswordLinks } from '../auth/index.ts';
import { signedIn, signInOrigin } from './auth-routes.ts';
import { onlyParams, readJson } from './body.ts';
import type { AppEnv } from '../plugins/index.ts';

export function passwordLinkRoutes({ links, secureCookies }: { links: PasswordLinks; secureCookies?: boolean }) {
  const app = new Hono<AppEnv>();
  app.post('/', async (c) => {
    onlyParams(c, []);
    return c.json(await links.inspect(await readJson(c, 4 * 1024)));
  });
  app.post('/complete', async (c) => {
    onlyParams(c, []);
    return signedIn(c, await links.complete(await readJson(c, 4 * 1024), signInOrigin(c)), secureCookies);
  });
  return app;
}
