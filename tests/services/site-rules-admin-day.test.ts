/**
 * Site rules of the administrator's day: a mobile site has one store, site IDs are never reused, the default
 * site code follows the ID actually allocated, search folds accents and case and ranks exact and
 * prefix matches first, and a site that never synced has a blank device type.
 */
import fs from 'node:fs';
import path from 'node:path';
import { openDatafile } from '../../db/datafile';
import { getSetting } from '../../db/settings';
import type { Core } from '../../main/core';
import { openCore } from '../../main/core';
import type { Actor } from '../../main/services/actor';
import type { SaveSiteResult } from '../../shared/contract';
import { AppFailure } from '../../shared/errors';
import { adminOf, fastHasher, newCore, storeIdByCode, unchangedDraft } from '../helpers/core';

let core: Core;
let admin: Actor;

beforeEach(async () => {
  core = await newCore({ demo: true });
  admin = await adminOf(core);
});

afterEach(() => core.close());

const KAWAKAWA = 2;
const WAIKATO = 3;

function newSite(name: string, overrides: Record<string, unknown> = {}) {
  return {
    siteId: null,
    expectedVersion: null,
    code: '',
    name,
    type: 'standalone' as const,
    useJsNodeHttpClient: false,
    addStoreIds: [] as number[],
    removeStoreIds: [] as number[],
    confirmations: [] as never[],
    ...overrides,
  };
}

function saved(result: SaveSiteResult) {
  if (result.status !== 'saved') throw new Error(`expected saved, got ${JSON.stringify(result)}`);
  return result.site;
}

async function failure(promise: Promise<unknown>): Promise<AppFailure> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppFailure);
    return error as AppFailure;
  }
  throw new Error('expected a failure');
}

describe('a mobile site has one store', () => {
  it('refuses a second store at save, in words, and changes nothing', async () => {
    const before = core.sites.getSite({ siteId: KAWAKAWA });
    const error = await failure(
      core.sites.saveSite(admin, {
        ...unchangedDraft(core, KAWAKAWA),
        addStoreIds: [storeIdByCode(core, 'Opua')],
        confirmations: [],
      }),
    );
    expect(error.error.code).toBe('mobile_site_one_store');
    expect(error.message).toMatch(/mobile site has one store/i);
    expect(core.sites.getSite({ siteId: KAWAKAWA })).toEqual(before);
  });

  it('refuses making a site with two stores mobile, and a new mobile site with two stores', async () => {
    expect((await failure(core.sites.saveSite(admin, { ...unchangedDraft(core, WAIKATO), type: 'mobile' }))).error.code).toBe(
      'mobile_site_one_store',
    );
    const two = [storeIdByCode(core, 'Opua'), storeIdByCode(core, 'KamoRW')];
    expect((await failure(core.sites.saveSite(admin, newSite('Tablet', { type: 'mobile', addStoreIds: two })))).error.code).toBe(
      'mobile_site_one_store',
    );
  });

  it('accepts a swap (one removed, one added) and a single store', async () => {
    const kawakawaStore = storeIdByCode(core, 'Kawakawa');
    const swapped = saved(
      await core.sites.saveSite(admin, {
        ...unchangedDraft(core, KAWAKAWA),
        addStoreIds: [storeIdByCode(core, 'Opua')],
        removeStoreIds: [kawakawaStore],
      }),
    );
    expect(swapped.stores.map((s) => s.code)).toEqual(['Opua']);
    saved(await core.sites.saveSite(admin, newSite('Tablet', { type: 'mobile', addStoreIds: [kawakawaStore] })));
  });
});

describe('site IDs are never reused', () => {
  it('a deleted highest site ID is not given to the next new site', async () => {
    const ten = saved(await core.sites.saveSite(admin, newSite('Temporary')));
    expect(ten.siteId).toBe(6);
    expect(core.sites.deleteSite(admin, { siteId: 6, confirmed: true }).status).toBe('done');
    expect(core.sites.newSite().siteId).toBe(7);
    const next = saved(await core.sites.saveSite(admin, newSite('Next one')));
    expect(next.siteId).toBe(7);
    expect(next.code).toBe('7');
  });

  it('a datafile from before this rule remembers sites deleted earlier (from the site audit log)', async () => {
    saved(await core.sites.saveSite(admin, newSite('Gone')));
    core.sites.deleteSite(admin, { siteId: 6, confirmed: true });
    // As an older version left it: no high-water mark. Then the migration that brings it runs.
    const file = core.datafile.path;
    core.close();
    const raw = openDatafile(file);
    raw.sqlite.prepare("delete from setting where key = 'highest_site_id'").run();
    const migration = fs.readFileSync(path.join(__dirname, '../../db/migrations/0006_site_ids_never_reused.sql'), 'utf8');
    raw.sqlite.exec(migration);
    raw.close();
    core = await openCore(file, { hasher: fastHasher });
    expect(getSetting(core.datafile.sqlite, 'highest_site_id')).toBe(6);
    expect(core.sites.newSite().siteId).toBe(7);
  });

  it('the default code follows the ID actually allocated when two administrators create sites at once', async () => {
    const mine = core.sites.newSite();
    const theirs = core.sites.newSite();
    expect([mine.siteId, mine.code, theirs.siteId]).toEqual([6, '6', 6]);
    const first = saved(await core.sites.saveSite(admin, newSite('First', { code: mine.code, proposedSiteId: mine.siteId })));
    const second = saved(await core.sites.saveSite(admin, newSite('Second', { code: theirs.code, proposedSiteId: theirs.siteId })));
    expect([first.siteId, first.code]).toEqual([6, '6']);
    expect([second.siteId, second.code]).toEqual([7, '7']);
    // A code the person typed is kept as typed.
    const typed = saved(await core.sites.saveSite(admin, newSite('Third', { code: 'T3', proposedSiteId: 8 })));
    expect([typed.siteId, typed.code]).toEqual([8, 'T3']);
  });
});

describe('search and order', () => {
  beforeEach(async () => {
    for (const name of ['Ōtautahi Clinic', 'Åker', 'Zeta Health', 'Waikato Rural', 'North Waikato Rural', 'Waikatoa']) {
      saved(await core.sites.saveSite(admin, newSite(name)));
    }
  });

  const names = (search?: string, sort?: { column: 'name' | 'code' | 'id' | 'deviceType'; direction: 'asc' | 'desc' }) =>
    core.sites.listSites({ ...(search ? { search } : {}), ...(sort ? { sort } : {}) }).rows.map((r) => r.name);

  it('folds accents and case', () => {
    expect(names('otautahi')).toEqual(['Ōtautahi Clinic']);
    expect(names('OTAUTAHI')).toEqual(['Ōtautahi Clinic']);
    expect(names('aker')).toEqual(['Åker']);
  });

  it('sorts by the locale collation: Åker with the A names, not after Z', () => {
    const all = names(undefined, { column: 'name', direction: 'asc' });
    expect(all.indexOf('Åker')).toBeLessThan(all.indexOf('Auckland Hospital'));
    expect(all.indexOf('Åker')).toBeLessThan(all.indexOf('Zeta Health'));
  });

  it('puts the exact match first, then names starting with the search, then the rest', () => {
    expect(names('waikato')).toEqual(['Waikato', 'Waikato Rural', 'Waikatoa', 'North Waikato Rural']);
    expect(names('Waikato', { column: 'name', direction: 'desc' })[0]).toBe('Waikato');
  });
});

describe('device type', () => {
  it('is blank for a site that never synced, and shows once it has', () => {
    const types = Object.fromEntries(core.sites.listSites({}).rows.map((r) => [r.name, r.deviceType]));
    expect(types).toEqual({
      'Tamaki Central Synchronisation Server': 'standalone',
      Kawakawa: 'mobile',
      Waikato: null,
      'Auckland Hospital': null,
      'Kopu HC': null,
    });
    core.datafile.sqlite
      .prepare("update site set last_connected_at = ?, app_name = 'Open mSupply Desktop' where id = ?")
      .run(new Date().toISOString(), WAIKATO);
    expect(core.sites.listSites({}).rows.find((r) => r.siteId === WAIKATO)!.deviceType).toBe('standalone');
  });
});
