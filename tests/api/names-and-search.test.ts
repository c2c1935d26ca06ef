/**
 * Issue 10, findings 7 and 9 over real HTTP (the admin API on 127.0.0.1): names are normalised and
 * refused in words when they hold invisible, control or bidi characters or mix look-alike
 * alphabets; search text with a NUL is refused instead of matching every store, and LIKE's own
 * wildcards are searched for literally.
 */
import path from 'node:path';
import { openCore } from '../../main/core';
import { type RunningServer, startServer } from '../../main/hosts/server';
import { SESSION_COOKIE } from '../../shared/http-api';
import { ADMIN, adminOf, dumpContent, fastHasher, tempDir } from '../helpers/core';

let running: RunningServer;
let cookie: string;
beforeEach(async () => {
  const core = await openCore(path.join(tempDir('names-'), 'server.sqlite'), {
    create: true,
    hasher: fastHasher,
    setup: { admin: ADMIN, demo: true },
  });
  running = await startServer({ core, port: 0 });
  const login = await call('login', ADMIN);
  cookie = login.cookie!;
});
afterEach(async () => {
  await running.stop();
  running.core.close();
});

async function call(operation: string, input: unknown) {
  const response = await fetch(`${running.url}/api/op/${operation}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-sync-sites': '1', ...(cookie ? { cookie: `${SESSION_COOKIE}=${cookie}` } : {}) },
    body: JSON.stringify(input),
  });
  const match = response.headers.get('set-cookie')?.match(new RegExp(`${SESSION_COOKIE}=([^;]*)`));
  return { status: response.status, body: (await response.json()) as any, cookie: match?.[1] };
}

const newSite = (name: string) => ({
  siteId: null,
  expectedVersion: null,
  code: '',
  name,
  type: 'standalone',
  useJsNodeHttpClient: false,
  addStoreIds: [],
  removeStoreIds: [],
  confirmations: [],
});

describe('finding 7: names', () => {
  it.each([
    ['zero-width space', 'Waika\u200Bto', /U\+200B \(zero width space\) at position 6/],
    ['bidi override', '\u202Eotakiaw', /U\+202E \(right-to-left override\)/],
    ['NUL', 'Waikato\u0000', /U\+0000 \(NUL\)/],
    ['soft hyphen', 'Wai\u00ADkato', /U\+00AD \(soft hyphen\)/],
    ['CR/LF', 'Waikato\r\nDistrict', /U\+000D \(carriage return\)/],
    ['Cyrillic look-alike', 'W\u0430ikato', /mixes Latin and Cyrillic letters/],
  ])('a site name with a %s is refused in words, and nothing is saved', async (_what, name, message) => {
    const before = dumpContent(running.core);
    const answer = await call('saveSite', newSite(name));
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('validation_failed');
    expect(answer.body.error.message).toMatch(message);
    expect(answer.body.error.data.issues[0].field).toBe('name');
    expect(dumpContent(running.core)).toBe(before);
  });

  it('names are stored composed (NFC) and trimmed; words in different alphabets are fine', async () => {
    const saved = await call('saveSite', newSite('  Cafe\u0301 Kopu '));
    expect(saved.body.value.site.name).toBe('Caf\u00E9 Kopu');
    expect((await call('saveSite', newSite('Caf\u00E9 Kopu'))).body.error.code).toBe('site_name_taken');
    expect((await call('saveSite', newSite('Москва Store'))).body.ok).toBe(true);
  });

  it('user names follow the same rule at login and when users are created', async () => {
    expect((await call('login', { userName: 'admin\u200B', password: ADMIN.password })).body.error.message).toMatch(/zero width space/);
    const admin = await adminOf(running.core);
    await expect(running.core.users.createUser(admin, { name: 'ad\u0430min', password: 'x12345678', permissions: [] })).rejects.toThrow(
      /mixes Latin and Cyrillic/,
    );
    await expect(running.core.users.createUser(admin, { name: 'bob\n', password: 'x12345678', permissions: [] })).resolves.toMatchObject({
      userName: 'bob',
    });
  });
});

describe('finding 9: store search', () => {
  it('a NUL in the search text is refused instead of matching every store', async () => {
    const all = await call('listAddableStores', { draftStoreIds: [] });
    expect(all.body.value.total).toBe(8);
    const nul = await call('listAddableStores', { draftStoreIds: [], search: 'zzz\u0000' });
    expect(nul.status).toBe(400);
    expect(nul.body.error.message).toMatch(/control characters/);
    expect(() => running.core.sites.listAddableStores({ draftStoreIds: [], search: 'zzz\u0000' })).toThrow(/control characters/);
    expect((await call('listSites', { search: '\u0000' })).body.error.code).toBe('validation_failed');
  });

  it('LIKE wildcards are searched for literally', async () => {
    // "Ka_o" would match Kamo and "%" everything if they were wildcards; only TAU_DH holds a "_".
    for (const [search, total] of [
      ['%', 0],
      ['\\', 0],
      ['Ka_o', 0],
      ['_', 1],
    ] as const) {
      expect([search, (await call('listAddableStores', { draftStoreIds: [], search })).body.value.total]).toEqual([search, total]);
    }
    expect((await call('listAddableStores', { draftStoreIds: [], search: 'kamo' })).body.value.total).toBe(1);
  });
});
