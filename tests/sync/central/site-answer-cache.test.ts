/**
 * Issue 15, GET site's speed: the central keeps each site's row, its `GET site` answer and its own
 * role in memory until the datafile changes. Over real HTTP on 127.0.0.1, with the caches warm, a
 * change is seen by the very next call, whoever made it: this server's own services, another
 * connection to the same file (as another process would), another process, or a backup restored
 * into the live file; and a wrong password is never accepted from any cache.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AppFailure } from '../../../shared/errors';
import { nameKey } from '../../../shared/names';
import { adminOf, fastHasher, storeIdByCode, tempDir, unchangedDraft } from '../../helpers/core';
import { withSeed } from '../../helpers/seeded-random';
import { type Central, KOPU, setSitePassword, startCentral, syncCall, type SyncCallOptions, WAIKATO } from '../helpers';

const root = path.resolve(__dirname, '../../..');

let central: Central;
let other: Database.Database;

beforeEach(async () => {
  // Contact times recorded at most every 10 minutes: after its first call a site's calls write
  // nothing, so they are answered from what is kept (every write would empty it).
  central = await startCentral({ connectionRecordIntervalMs: 600_000 });
  await setSitePassword(central.core, WAIKATO, 'waikato password');
  other = new Database(central.core.datafile.path);
  other.pragma('busy_timeout = 5000');
});
afterEach(async () => {
  other.close();
  await central.stop();
});

const site = (options: SyncCallOptions = {}) => syncCall(central.url, '/sync/v5/site', { hardwareId: 'device-A', ...options });

/** What GET site must answer for a site, read afresh from the datafile by a connection of its own. */
function expectedAnswer(siteId: number, type: string) {
  const row = other
    .prepare(
      `select uuid, code, name, initialisation_status as status, use_js_node_http_client as useJs
       from site where id = ?`,
    )
    .get(siteId) as { uuid: string; code: string; name: string; status: string; useJs: number };
  const stores = other.prepare('select uuid as id, code, name from store where site_id = ? order by code collate nocase, id').all(siteId);
  return {
    id: row.uuid,
    siteId,
    code: row.code,
    name: row.name,
    initialisationStatus: row.status,
    type,
    useJsNodeHttpClient: row.useJs === 1,
    stores,
  };
}

/** Two calls, so the second is answered from the kept row and answer. */
async function warm(options: SyncCallOptions = {}) {
  expect((await site(options)).status).toBe(200);
  const answer = await site(options);
  expect(answer.status).toBe(200);
  return answer.json;
}

describe('GET site answers from memory, and a change is seen by the next call', () => {
  it('the answer is the site as the datafile holds it, with its content type', async () => {
    const answer = await site();
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(answer.json).toEqual(expectedAnswer(WAIKATO, 'standalone'));
    // A mobile caller's answer is kept apart (it says "mobile"), and refused while the site has two stores.
    expect((await site({ appName: 'mSupply Mobile' })).json.error.code).toBe('mobile_site_has_multiple_stores');
    await setSitePassword(central.core, KOPU, 'kopu password');
    const kopu = { siteName: 'Kopu HC', password: 'kopu password', hardwareId: 'kopu-tablet', appName: 'mSupply Mobile' };
    expect((await site(kopu)).json).toEqual(expectedAnswer(KOPU, 'mobile'));
    expect((await site(kopu)).json).toEqual(expectedAnswer(KOPU, 'mobile'));
  });

  it('a site renamed here: the old name is refused, the new one answered with it', async () => {
    await warm();
    const admin = await adminOf(central.core);
    const saved = await central.core.sites.saveSite(admin, {
      ...unchangedDraft(central.core, WAIKATO),
      name: 'Waikato North',
      confirmations: ['rename_active_site'],
    });
    expect(saved.status).toBe('saved');
    const old = await site();
    expect(old.status).toBe(401);
    expect(old.json.error.code).toBe('site_name_not_found');
    const renamed = await site({ siteName: 'Waikato North' });
    expect(renamed.json.name).toBe('Waikato North');
  });

  it('a store moved to or from the site here is in or out of the next answer', async () => {
    expect((await warm()).stores.map((s: { code: string }) => s.code)).toEqual(['TAU_DH', 'Waikato']);
    const admin = await adminOf(central.core);
    const kopu = storeIdByCode(central.core, 'Kopu');
    const added = await central.core.sites.saveSite(admin, { ...unchangedDraft(central.core, WAIKATO), addStoreIds: [kopu] });
    expect(added.status).toBe('saved');
    expect((await site()).json.stores.map((s: { code: string }) => s.code)).toEqual(['Kopu', 'TAU_DH', 'Waikato']);
    const removed = await central.core.sites.saveSite(admin, {
      ...unchangedDraft(central.core, WAIKATO),
      removeStoreIds: [storeIdByCode(central.core, 'TAU_DH')],
    });
    expect(removed.status).toBe('saved');
    expect((await site()).json).toEqual(expectedAnswer(WAIKATO, 'standalone'));
    expect((await site()).json.stores.map((s: { code: string }) => s.code)).toEqual(['Kopu', 'Waikato']);
  });

  it('the active site set elsewhere: the next call is refused as not the central server, and served again when set back', async () => {
    await warm();
    const admin = await adminOf(central.core);
    expect(central.core.sites.setActiveSite(admin, { siteId: KOPU, confirmed: true }).status).toBe('done');
    const refused = await site();
    expect(refused.status).toBe(409);
    expect(refused.json.error.code).toBe('not_central_server');
    // Set back by another program on the same datafile.
    other.prepare("update setting set value = '1' where key = 'active_site_id'").run();
    expect((await site()).status).toBe(200);
  });

  it('a password changed here: the old one is refused at once, the new one accepted', async () => {
    await warm();
    await setSitePassword(central.core, WAIKATO, 'new waikato password');
    const old = await site();
    expect(old.status).toBe(401);
    expect(old.json.error.code).toBe('site_incorrect_password');
    expect((await site({ password: 'new waikato password' })).status).toBe(200);
  });

  it('a hardware ID reset here: another device may take the site over, and the first is then refused', async () => {
    await warm();
    expect((await site({ hardwareId: 'device-B' })).json.error.code).toBe('site_incorrect_hardware_id');
    const admin = await adminOf(central.core);
    expect(central.core.sites.resetHardwareId(admin, { siteId: WAIKATO, confirmed: true }).status).toBe('done');
    const taken = await site({ hardwareId: 'device-B' });
    expect(taken.status).toBe(200);
    expect(taken.json.initialisationStatus).toBe('new');
    expect((await site()).json.error.code).toBe('site_incorrect_hardware_id');
  });

  it('changes by another connection to the file (rename, stores, settings, password, reset) are seen by the next call', async () => {
    await warm();
    other.prepare('update site set name = ?, name_key = ? where id = ?').run('Waikato South', nameKey('Waikato South'), WAIKATO);
    expect((await site()).json.error.code).toBe('site_name_not_found');
    expect((await site({ siteName: 'Waikato South' })).json.name).toBe('Waikato South');

    other.prepare("update store set name = 'Waikato Medical Store' where code = 'Waikato'").run();
    other.prepare("update store set site_id = ? where code = 'Kopu'").run(WAIKATO);
    other.prepare("update site set use_js_node_http_client = 1, initialisation_status = 'started' where id = ?").run(WAIKATO);
    const changed = (await site({ siteName: 'Waikato South' })).json;
    expect(changed).toEqual(expectedAnswer(WAIKATO, 'standalone'));
    expect(changed).toMatchObject({ useJsNodeHttpClient: true, initialisationStatus: 'started' });
    expect(changed.stores.map((s: { name: string }) => s.name)).toContain('Waikato Medical Store');
    expect(changed.stores.map((s: { code: string }) => s.code)).toContain('Kopu');

    other.prepare('update site set password_hash = ? where id = ?').run(await fastHasher.hashSitePassword('other password'), WAIKATO);
    expect((await site({ siteName: 'Waikato South' })).json.error.code).toBe('site_incorrect_password');
    expect((await site({ siteName: 'Waikato South', password: 'other password' })).status).toBe(200);

    other.prepare("update site set hardware_id = '' where id = ?").run(WAIKATO);
    expect((await site({ siteName: 'Waikato South', password: 'other password', hardwareId: 'device-C' })).status).toBe(200);
    expect((await site({ siteName: 'Waikato South', password: 'other password' })).json.error.code).toBe('site_incorrect_hardware_id');
  });

  it('a change made by another process is seen by the next call', async () => {
    await warm();
    const script =
      "const D = require('better-sqlite3'); const db = new D(process.argv[1]); db.pragma('busy_timeout = 5000'); db.exec(process.argv[2]); db.close();";
    const sql =
      "update site set name = 'Waikato East', name_key = 'waikato east' where id = 3; update store set code = 'WK1' where code = 'Waikato';";
    execFileSync(process.execPath, ['-e', script, central.core.datafile.path, sql], { cwd: root });
    expect((await site()).status).toBe(401);
    const answer = (await site({ siteName: 'Waikato East' })).json;
    expect(answer.name).toBe('Waikato East');
    expect(answer.stores.map((s: { code: string }) => s.code)).toEqual(['TAU_DH', 'WK1']);
  });

  it('a backup restored into the live datafile brings back its site, its password and its stores at the next call', async () => {
    const backupFile = path.join(tempDir('site-cache-backup-'), 'backup.sqlite');
    await central.core.datafile.sqlite.backup(backupFile);
    const before = await warm();

    const admin = await adminOf(central.core);
    await central.core.sites.saveSite(admin, {
      ...unchangedDraft(central.core, WAIKATO),
      name: 'Waikato West',
      password: 'west password',
      removeStoreIds: [storeIdByCode(central.core, 'TAU_DH')],
      confirmations: ['change_password_of_active_site', 'rename_active_site'],
    });
    expect((await site({ siteName: 'Waikato West', password: 'west password' })).json.stores).toHaveLength(1);

    // Restored by another program through SQLite's online backup, into the file this server has open.
    const backup = new Database(backupFile, { readonly: true });
    await backup.backup(central.core.datafile.path);
    backup.close();

    expect((await site({ siteName: 'Waikato West', password: 'west password' })).json.error.code).toBe('site_name_not_found');
    expect((await site()).json).toEqual(before);
  });
});

describe('a wrong password is never accepted from any cache, and no answer is out of date', () => {
  it('random changes here and by another connection, each followed by calls: every answer is what the datafile says', async () => {
    await withSeed(async (random) => {
      const admin = await adminOf(central.core);
      /** A save by this server's own services. A refused one (a mobile site given a second store, sites not editable while this datafile is not the central) changes nothing. */
      const saveHere = async (changes: Partial<ReturnType<typeof unchangedDraft>> & { password?: string }): Promise<boolean> => {
        try {
          const saved = await central.core.sites.saveSite(admin, {
            ...unchangedDraft(central.core, WAIKATO),
            confirmations: ['rename_active_site', 'change_password_of_active_site'],
            ...changes,
          });
          return saved.status === 'saved';
        } catch (error) {
          if (error instanceof AppFailure) return false;
          throw error;
        }
      };
      const names = ['Waikato', 'Waikato Rural', 'Waikato Rural'.toUpperCase()];
      const passwords = ['waikato password', 'second secret', 'third secret'];
      let name = 'Waikato';
      let password = 'waikato password';
      let bound = '';
      const moveable = ['Kopu', 'TAU_DH', 'HUF'];
      for (let step = 0; step < 80; step += 1) {
        const action = random.below(12);
        const here = random.below(2) === 0;
        if (action === 0) {
          const next = names[random.below(names.length)]!;
          if (here) {
            if (await saveHere({ name: next })) name = next;
          } else {
            other.prepare('update site set name = ?, name_key = ? where id = ?').run(next, nameKey(next), WAIKATO);
            name = next;
          }
        } else if (action === 1) {
          const code = moveable[random.below(moveable.length)]!;
          const to = [WAIKATO, KOPU, 4][random.below(3)]!;
          other.prepare('update store set site_id = ? where code = ?').run(to, code);
        } else if (action === 2) {
          other.prepare('update store set name = ? where code = ?').run(`Store ${step}`, moveable[random.below(moveable.length)]!);
        } else if (action === 3) {
          const useJs = random.below(2) === 0;
          if (here) await saveHere({ useJsNodeHttpClient: useJs });
          else other.prepare('update site set use_js_node_http_client = ? where id = ?').run(useJs ? 1 : 0, WAIKATO);
        } else if (action === 4) {
          const next = passwords[random.below(passwords.length)]!;
          if (!here) other.prepare('update site set password_hash = ? where id = ?').run(await fastHasher.hashSitePassword(next), WAIKATO);
          if (!here || (await saveHere({ password: next }))) password = next;
        } else if (action === 5) {
          if (here) {
            try {
              central.core.sites.resetHardwareId(admin, { siteId: WAIKATO, confirmed: true });
              bound = '';
            } catch (error) {
              if (!(error instanceof AppFailure)) throw error;
            }
          } else {
            other.prepare("update site set hardware_id = '' where id = ?").run(WAIKATO);
            bound = '';
          }
        } else if (action === 6) {
          other.prepare("update setting set value = ? where key = 'active_site_id'").run(String([1, 1, KOPU][random.below(3)]));
        } else {
          const tried = random.below(3) === 0 ? passwords[random.below(passwords.length)]! : password;
          const device = ['device-A', 'device-B'][random.below(2)]!;
          const mobile = random.below(4) === 0;
          const answer = await site({ siteName: name, password: tried, hardwareId: device, ...(mobile ? { appName: 'mSupply Mobile' } : {}) });
          const isCentral = other.prepare("select value from setting where key = 'active_site_id'").pluck().get() === '1';
          const stores = other.prepare('select count(*) from store where site_id = ?').pluck().get(WAIKATO) as number;
          let expected: string;
          if (!isCentral) expected = 'not_central_server';
          else if (tried !== password) expected = 'site_incorrect_password';
          else if (bound !== '' && bound !== device) expected = 'site_incorrect_hardware_id';
          else if (stores === 0) expected = 'site_has_no_store';
          else if (mobile && stores > 1) expected = 'mobile_site_has_multiple_stores';
          else expected = 'ok';
          const got = answer.status === 200 ? 'ok' : answer.json?.error?.code;
          if (got !== expected) throw new Error(`step ${step}: expected ${expected}, answered ${answer.status} ${got}`);
          if (expected === 'ok') {
            bound = device;
            expect(answer.json).toEqual(expectedAnswer(WAIKATO, mobile ? 'mobile' : 'standalone'));
          }
        }
      }
    });
  });
});
