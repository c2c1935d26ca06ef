/** Issue 16: each user's language for the windows, remembered in the datafile (migration 0010). */
import path from 'node:path';
import { type ApiSession, createHandlers, dispatch } from '../../main/api/core-api';
import { openCore } from '../../main/core';
import type { WhoAmI } from '../../shared/contract';
import { ADMIN, newCore, tempDir, viewerOf } from '../helpers/core';

const userOf = (result: { ok: boolean; value?: unknown }) => (result.ok ? (result.value as WhoAmI).user : undefined);

it('a user chooses their language; it comes back with who-am-I at every login, after the datafile is reopened, for that user only', async () => {
  const file = path.join(tempDir(), 'datafile.sqlite');
  let core = await newCore({ demo: true, file });
  const viewer = await viewerOf(core);
  let handlers = createHandlers(core);
  const call = (operation: string, input: unknown, s: ApiSession) => dispatch(handlers, s, operation, input, { logError: () => {} });

  const admin: ApiSession = { userId: null };
  const login = await call('login', { userName: ADMIN.userName, password: ADMIN.password }, admin);
  expect(userOf(login)).toMatchObject({ name: 'admin', language: null });

  const chosen = await call('setMyLanguage', { language: 'fr' }, admin);
  expect(userOf(chosen)?.language).toBe('fr');

  // Any user, administrator or not, keeps their own choice.
  const viewerSession: ApiSession = { userId: viewer.userId };
  expect((await call('setMyLanguage', { language: 'es' }, viewerSession)).ok).toBe(true);

  core.close();
  core = await openCore(file, { create: false });
  handlers = createHandlers(core);
  const again: ApiSession = { userId: null };
  const relogin = await call('login', { userName: ADMIN.userName, password: ADMIN.password }, again);
  expect(userOf(relogin)?.language).toBe('fr');
  const viewerAgain = await call('whoAmI', {}, { userId: viewer.userId });
  expect(userOf(viewerAgain)?.language).toBe('es');
  core.close();
});

it('refuses a language the windows do not speak, and asks who is choosing', async () => {
  const core = await newCore();
  const handlers = createHandlers(core);
  const call = (operation: string, input: unknown, s: ApiSession) => dispatch(handlers, s, operation, input, { logError: () => {} });
  const anonymous = await call('setMyLanguage', { language: 'fr' }, { userId: null });
  expect(anonymous.ok === false && anonymous.error.code).toBe('not_logged_in');

  const session: ApiSession = { userId: null };
  await call('login', { userName: ADMIN.userName, password: ADMIN.password }, session);
  const klingon = await call('setMyLanguage', { language: 'tlh' }, session);
  expect(klingon.ok === false && klingon.error).toMatchObject({ code: 'validation_failed', data: { issues: [{ field: 'language' }] } });
  const who = await call('whoAmI', {}, session);
  expect(userOf(who)?.language).toBeNull();
  core.close();
});
