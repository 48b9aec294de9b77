// PATCH /api/auth/me: what people change about themselves without an admin (today: the
// studio's language), so the choice follows them from browser to browser.
import { Hono } from 'hono';
import type { PeopleStore } from '../auth/index.ts';
import { validation } from '../problems/index.ts';
import { readJson } from './body.ts';
import type { AppEnv } from '../plugins/index.ts';

export function meRoutes({ people }: { people: PeopleStore }) {
  const app = new Hono<AppEnv>();
  app.patch('/', async (c) => {
    const body = (await readJson(c, 16 * 1024)) as Record<string, unknown>;
    const unknown = Object.keys(body ?? {}).filter((k) => k !== 'locale');
    if (typeof body !== 'object' || body === null || unknown.length) {
      throw validation(
        unknown.length
          ? unknown.map((k) => ({ field: k, message: 'cannot be changed here (changeable: locale)' }))
          : [{ field: '(root)', message: 'must be a JSON object' }],
      );
    }
    if (body.locale !== 'en' && body.locale !== 'ja') throw validation([{ field: 'locale', message: 'must be one of: en, ja' }]);
    const p = c.get('principal');
    const user = await people.users.update(
      p.userId,
      { locale: body.locale },
      { actor: p.userId, requestId: c.get('requestId'), via: c.get('actor').via },
    );
    return c.json({ user });
  });
  return app;
}
