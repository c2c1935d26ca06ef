/**
 * The Users window's rules (UserService): administrators list, create and edit users, give or take
 * the Admin permission (edit sync settings), set passwords and disable users; nobody removes the last
 * administrator or their own Admin permission; every change is audited without the password; and the
 * machine's owner resets a forgotten password at the command line.
 */
import type { ApiSession } from '../../main/api/core-api';
import { createHandlers, dispatch } from '../../main/api/core-api';
import type { Core } from '../../main/core';
import type { Actor } from '../../main/services/actor';
import { AppFailure } from '../../shared/errors';
import { ADMIN, adminOf, newCore, viewerOf } from '../helpers/core';

let core: Core;
let admin: Actor;

beforeEach(async () => {
  core = await newCore({ demo: true });
  admin = await adminOf(core);
});

afterEach(() => core.close());

async function code(promise: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    expect(error).toBeInstanceOf(AppFailure);
    return (error as AppFailure).error.code;
  }
  throw new Error('expected a failure');
}

const newUser = (name: string, overrides: Record<string, unknown> = {}) => ({
  userId: null,
  name,
  password: 'a good password',
  admin: false,
  disabled: false,
  ...overrides,
});

function audit() {
  return core.datafile.sqlite.prepare('select target_user_id as target, user_name as who, action, changes from user_audit order by id').all() as {
    target: number;
    who: string;
    action: string;
    changes: string;
  }[];
}

it('an administrator creates a user, who logs in with the password (stored only as a hash)', async () => {
  const created = await core.users.saveUser(admin, newUser('Mere'));
  expect(created).toMatchObject({ name: 'Mere', admin: false, disabled: false, isYou: false });
  const mere = await core.users.authenticate('mere', 'a good password');
  expect(mere.permissions.size).toBe(0);
  const stored = core.datafile.sqlite.prepare('select password_hash as h from user where id = ?').get(created.userId) as { h: string };
  expect(stored.h).toMatch(/^scrypt\$/);
  expect(JSON.stringify(audit())).not.toContain('a good password');
  expect(audit().at(-1)).toMatchObject({ target: created.userId, who: 'admin', action: 'create' });
});

it('the Admin permission is edit sync settings: given and taken in Edit user', async () => {
  const created = await core.users.saveUser(admin, newUser('Mere'));
  await core.users.saveUser(admin, { userId: created.userId, name: 'Mere', admin: true, disabled: false });
  const mere = await core.users.authenticate('Mere', 'a good password');
  expect(mere.permissions.has('edit_sync_settings')).toBe(true);
  await core.users.saveUser(admin, { userId: created.userId, name: 'Mere', admin: false, disabled: false });
  expect(core.users.actorFor(created.userId)!.permissions.size).toBe(0);
  expect(JSON.parse(audit().at(-1)!.changes)).toEqual({ admin: { from: true, to: false } });
});

it('sets a new password; the old one stops working; the audit log says only that it changed', async () => {
  const created = await core.users.saveUser(admin, newUser('Mere'));
  await core.users.saveUser(admin, { userId: created.userId, name: 'Mere', password: 'another password', admin: false, disabled: false });
  expect(await code(core.users.authenticate('Mere', 'a good password'))).toBe('invalid_credentials');
  await core.users.authenticate('Mere', 'another password');
  expect(JSON.parse(audit().at(-1)!.changes)).toEqual({ password: { changed: true } });
});

it('a disabled user cannot log in, and their open session ends', async () => {
  const created = await core.users.saveUser(admin, newUser('Mere'));
  const handlers = createHandlers(core);
  const session: ApiSession = { userId: null };
  expect((await dispatch(handlers, session, 'login', { userName: 'Mere', password: 'a good password' })).ok).toBe(true);
  await core.users.saveUser(admin, { userId: created.userId, name: 'Mere', admin: false, disabled: true });
  const after = await dispatch(handlers, session, 'listSites', {});
  expect(after.ok === false && after.error.code).toBe('not_logged_in');
  expect(await code(core.users.authenticate('Mere', 'a good password'))).toBe('user_disabled');
  expect(await code(core.users.authenticate('Mere', 'wrong password'))).toBe('invalid_credentials');
});

it('nobody removes their own Admin permission or disables themselves', async () => {
  const me = core.users.listUsers(admin).rows.find((r) => r.isYou)!;
  expect(await code(core.users.saveUser(admin, { userId: me.userId, name: me.name, admin: false, disabled: false }))).toBe('own_admin_permission');
  expect(await code(core.users.saveUser(admin, { userId: me.userId, name: me.name, admin: true, disabled: true }))).toBe('own_admin_permission');
});

it('the datafile always keeps an enabled administrator, even when two demote each other at once', async () => {
  const second = await core.users.saveUser(admin, newUser('Second', { admin: true }));
  // Read before the first administrator's change lands, as a concurrent call would have it.
  const staleSecond = core.users.actorFor(second.userId)!;
  await core.users.saveUser(admin, { userId: second.userId, name: 'Second', admin: false, disabled: false });
  expect(await code(core.users.saveUser(staleSecond, { userId: admin.userId, name: ADMIN.userName, admin: false, disabled: false }))).toBe(
    'last_administrator',
  );
  expect(core.users.actorFor(admin.userId!)!.permissions.has('edit_sync_settings')).toBe(true);
  // A disabled administrator does not count either.
  const third = await core.users.saveUser(admin, newUser('Third', { admin: true }));
  const staleThird = core.users.actorFor(third.userId)!;
  await core.users.saveUser(admin, { userId: third.userId, name: 'Third', admin: true, disabled: true });
  expect(await code(core.users.saveUser(staleThird, { userId: admin.userId, name: ADMIN.userName, admin: true, disabled: true }))).toBe(
    'last_administrator',
  );
});

it('user names are required and unique without regard to case', async () => {
  await core.users.saveUser(admin, newUser('Mere'));
  expect(await code(core.users.saveUser(admin, newUser('MERE')))).toBe('user_name_taken');
  expect(await code(core.users.saveUser(admin, newUser('   ')))).toBe('validation_failed');
  expect(await code(core.users.saveUser(admin, { ...newUser('NoPassword'), password: undefined }))).toBe('validation_failed');
});

it('only administrators see or change users: the service checks every call', async () => {
  const viewer = await viewerOf(core);
  expect(await code(() => core.users.listUsers(viewer))).toBe('permission_denied');
  expect(await code(() => core.users.getUser(viewer, { userId: admin.userId! }))).toBe('permission_denied');
  expect(await code(core.users.saveUser(viewer, newUser('Sneaky', { admin: true })))).toBe('permission_denied');
  // The message names the screen where the permission is given.
  const handlers = createHandlers(core);
  const session: ApiSession = { userId: viewer.userId };
  const denied = await dispatch(handlers, session, 'listUsers', {});
  expect(denied.ok === false && denied.error.message).toMatch(/Users window: Edit user > Permissions > Admin/);
});

it('the contract refuses a short password before it reaches the service', async () => {
  const handlers = createHandlers(core);
  const session: ApiSession = { userId: admin.userId };
  const result = await dispatch(handlers, session, 'saveUser', newUser('Mere', { password: 'short' }));
  expect(result.ok === false && result.error.code).toBe('validation_failed');
});

describe('the command-line password reset (the machine owner)', () => {
  it('sets the password, enables the user, and is audited as the command line', async () => {
    const created = await core.users.saveUser(admin, newUser('Mere', { admin: true, disabled: true }));
    const result = await core.users.resetPasswordFromCommandLine('mere', 'a brand new password');
    expect(result).toEqual({ userName: 'Mere', admin: true });
    await core.users.authenticate('Mere', 'a brand new password');
    expect(audit().at(-1)).toMatchObject({ target: created.userId, who: 'command line (machine owner)', action: 'reset_password' });
    expect(JSON.parse(audit().at(-1)!.changes)).toEqual({ password: { changed: true }, disabled: { from: true, to: false } });
  });

  it('refuses an unknown user (naming the users) and a short password', async () => {
    expect(await code(core.users.resetPasswordFromCommandLine('nobody', 'long enough password'))).toBe('user_not_found');
    expect(await code(core.users.resetPasswordFromCommandLine('admin', 'short'))).toBe('validation_failed');
  });
});
