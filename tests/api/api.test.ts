import { type ApiSession, createHandlers, dispatch, type Handlers } from '../../main/api/core-api';
import type { Core } from '../../main/core';
import { limits, operationNames } from '../../shared/contract';
import { ADMIN, dumpContent, newCore, viewerOf } from '../helpers/core';

let core: Core;
let handlers: Handlers;
let session: ApiSession;

beforeEach(async () => {
  core = await newCore({ demo: true });
  handlers = createHandlers(core);
  session = { userId: null };
});
afterEach(() => core.close());

const call = (operation: string, input: unknown, s: ApiSession = session) => dispatch(handlers, s, operation, input, { logError: () => {} });

async function login(s: ApiSession = session) {
  const result = await call('login', { userName: ADMIN.userName, password: ADMIN.password }, s);
  expect(result.ok).toBe(true);
}

describe('the contract over dispatch', () => {
  it('has a handler for every operation', () => {
    expect(Object.keys(handlers).sort()).toEqual([...operationNames].sort());
  });

  it('asks for a login before anything but login and who-am-I', async () => {
    const result = await call('listSites', {});
    expect(result).toEqual({ ok: false, error: { code: 'not_logged_in', message: 'Please log in first.' } });
    const who = await call('whoAmI', {});
    expect(who.ok && who.value).toMatchObject({ user: null, permissions: { editSyncSettings: false } });
  });

  it('refuses wrong credentials in words, and logs in with the right ones', async () => {
    const wrong = await call('login', { userName: 'admin', password: 'nope' });
    expect(wrong).toEqual({ ok: false, error: { code: 'invalid_credentials', message: 'The user name or password is incorrect.' } });
    const unknown = await call('login', { userName: 'nobody', password: 'nope' });
    expect(unknown.ok === false && unknown.error.code).toBe('invalid_credentials');
    await login();
    const who = await call('whoAmI', {});
    expect(who.ok && who.value).toMatchObject({
      user: { name: 'admin' },
      permissions: { editSyncSettings: true },
      datafile: { activeSiteId: 1, activeSiteName: 'Tamaki Central Synchronisation Server', isCentralServer: true },
    });
    await call('logout', {});
    expect((await call('listSites', {})).ok).toBe(false);
  });

  it('checks the permission again on every call, not once at login', async () => {
    const viewerSession: ApiSession = { userId: null };
    const viewer = await viewerOf(core);
    viewerSession.userId = viewer.userId;
    const before = dumpContent(core);
    const denied = await call('deleteSite', { siteId: 5, confirmed: true }, viewerSession);
    expect(denied.ok === false && denied.error.code).toBe('permission_denied');
    expect(denied.ok === false && denied.error.message).toMatch(/permission to edit sync settings/);
    expect(dumpContent(core)).toBe(before);
    // A user deleted meanwhile is logged out at their next call.
    core.datafile.sqlite.prepare('delete from user where id = ?').run(viewer.userId);
    const gone = await call('listSites', {}, viewerSession);
    expect(gone.ok === false && gone.error.code).toBe('not_logged_in');
  });

  describe('bad input gets its error code and changes nothing', () => {
    const cases: [string, string, unknown, RegExp?][] = [
      ['unknown operation', 'dropAllSites', {}],
      ['wrong type of site ID', 'getSite', { siteId: 'one' }],
      ['fractional site ID', 'getSite', { siteId: 1.5 }],
      ['negative site ID', 'deleteSite', { siteId: -3, confirmed: true }],
      ['missing fields', 'saveSite', { siteId: null }],
      [
        'an extra field (a forged hardware ID)',
        'saveSite',
        {
          siteId: 3,
          expectedVersion: 1,
          code: '3',
          name: 'Waikato',
          type: 'standalone',
          useJsNodeHttpClient: false,
          addStoreIds: [],
          removeStoreIds: [],
          confirmations: [],
          hardwareId: 'forged',
        },
      ],
      [
        'an oversized site name',
        'saveSite',
        {
          siteId: null,
          expectedVersion: null,
          code: '',
          name: 'x'.repeat(limits.siteName + 1),
          type: 'standalone',
          useJsNodeHttpClient: false,
          addStoreIds: [],
          removeStoreIds: [],
          confirmations: [],
        },
        /Site name can be at most 80 characters/,
      ],
      [
        'an unknown type',
        'saveSite',
        {
          siteId: null,
          expectedVersion: null,
          code: '',
          name: 'New',
          type: 'tablet',
          useJsNodeHttpClient: false,
          addStoreIds: [],
          removeStoreIds: [],
          confirmations: [],
        },
        /Type must be standalone or mobile/,
      ],
      [
        'an unknown confirmation',
        'saveSite',
        {
          siteId: null,
          expectedVersion: null,
          code: '',
          name: 'New',
          type: 'standalone',
          useJsNodeHttpClient: false,
          addStoreIds: [],
          removeStoreIds: [],
          confirmations: ['everything'],
        },
      ],
      ['an oversized search', 'listSites', { search: 's'.repeat(limits.search + 1) }],
      ['not an object at all', 'listSites', 'DROP TABLE site'],
    ];
    it.each(cases.map(([label, operation, input, message]) => ({ label, operation, input, message })))(
      '$label',
      async ({ operation, input, message }) => {
        await login();
        const before = dumpContent(core);
        const result = await call(operation, input);
        expect(result.ok).toBe(false);
        if (result.ok) return;
        expect(result.error.code).toBe('validation_failed');
        if (message) expect(result.error.message).toMatch(message);
        expect(dumpContent(core)).toBe(before);
      },
    );

    it('an empty name and a duplicate name, through the contract', async () => {
      await login();
      const before = dumpContent(core);
      const base = {
        siteId: null,
        expectedVersion: null,
        code: '',
        type: 'standalone',
        useJsNodeHttpClient: false,
        addStoreIds: [],
        removeStoreIds: [],
        confirmations: [],
      };
      const empty = await call('saveSite', { ...base, name: '  ' });
      expect(empty.ok === false && empty.error).toEqual({ code: 'site_name_required', message: 'Site name is required.' });
      const duplicate = await call('saveSite', { ...base, name: 'kopu hc' });
      expect(duplicate.ok === false && duplicate.error.code).toBe('site_name_taken');
      const unknown = await call('getSite', { siteId: 4242 });
      expect(unknown.ok === false && unknown.error).toEqual({ code: 'site_not_found', message: 'There is no site with site ID 4242.' });
      expect(dumpContent(core)).toBe(before);
    });
  });

  it('refuses Enabling sync on a central server datafile that holds sites and stores', async () => {
    await login();
    const before = dumpContent(core);
    const result = await call('enableSync', { centralUrl: 'http://127.0.0.1:9', siteName: 'Waikato', password: 'pw' });
    expect(result.ok === false && result.error.code).toBe('sync_not_on_central');
    expect(result.ok === false && result.error.message).toMatch(/cannot become a remote site/);
    expect(dumpContent(core)).toBe(before);
  });

  it('turns an unexpected failure into a plain message without internals', async () => {
    await login();
    const logged: unknown[] = [];
    core.datafile.sqlite.exec('drop table site_audit');
    const result = await dispatch(
      handlers,
      session,
      'saveSite',
      {
        siteId: null,
        expectedVersion: null,
        code: '',
        name: 'Brand new',
        type: 'standalone',
        useJsNodeHttpClient: false,
        addStoreIds: [],
        removeStoreIds: [],
        confirmations: [],
        password: 'hunter2-secret',
      },
      { logError: (_op, e) => logged.push(e) },
    );
    expect(result).toEqual({
      ok: false,
      error: { code: 'internal_error', message: 'Something went wrong. The change was not saved. Please try again.' },
    });
    expect(logged).toHaveLength(1);
    // The transaction rolled back: no half-saved site.
    expect(core.sites.listSites({ search: 'Brand new' }).rows).toEqual([]);
  });
});
