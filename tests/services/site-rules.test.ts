import { openDatafile } from '../../db/datafile';
import type { Core } from '../../main/core';
import type { Actor } from '../../main/services/actor';
import { sha256Hex } from '../../main/services/passwords';
import type { SaveSiteResult } from '../../shared/contract';
import { AppFailure } from '../../shared/errors';
import { adminOf, dumpContent, newCore, secondAdminOf, siteOfStore, storeIdByCode, unchangedDraft, viewerOf } from '../helpers/core';

let core: Core;
let admin: Actor;

beforeEach(async () => {
  core = await newCore({ demo: true });
  admin = await adminOf(core);
});

afterEach(() => core.close());

const KAWAKAWA = 2;
const WAIKATO = 3;
const AUCKLAND = 4;
const KOPU = 5;

function newSiteDraft(overrides: Partial<ReturnType<typeof unchangedDraft>> & { password?: string } = {}) {
  return {
    siteId: null,
    expectedVersion: null,
    code: '',
    name: 'Opua Clinic',
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
  return result;
}

async function expectCode(promise: Promise<unknown> | (() => unknown), code: string) {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    expect(error).toBeInstanceOf(AppFailure);
    expect((error as AppFailure).error.code).toBe(code);
    return (error as AppFailure).error;
  }
  throw new Error(`expected the error ${code}`);
}

function queuedFor(
  siteId: number,
): { store_id: number; table_name: string; record_id: string; action: string; sequence: number; data: string | null }[] {
  return core.datafile.sqlite.prepare('select * from sync_out where site_id = ? order by sequence').all(siteId) as never;
}

describe('site ID and site code', () => {
  it('allocates the next site ID and defaults the site code to it', async () => {
    const draft = core.sites.newSite();
    expect(draft).toMatchObject({ siteId: 6, code: '6', isNew: true, name: '' });
    const result = saved(await core.sites.saveSite(admin, newSiteDraft()));
    expect(result.site).toMatchObject({ siteId: 6, code: '6', name: 'Opua Clinic', isNew: false });
  });

  it('keeps a typed site code, and the code stays free text afterwards', async () => {
    const created = saved(await core.sites.saveSite(admin, newSiteDraft({ code: 'NTH-01' }))).site;
    expect(created.code).toBe('NTH-01');
    const edited = saved(await core.sites.saveSite(admin, { ...unchangedDraft(core, created.siteId), code: 'North / 1' })).site;
    expect(edited).toMatchObject({ siteId: created.siteId, code: 'North / 1' });
  });

  it('allocates a fresh ID even when two drafts were opened with the same proposal', async () => {
    const a = saved(await core.sites.saveSite(admin, newSiteDraft({ name: 'A' }))).site;
    const b = saved(await core.sites.saveSite(admin, newSiteDraft({ name: 'B' }))).site;
    expect([a.siteId, b.siteId]).toEqual([6, 7]);
  });
});

describe('site name', () => {
  it('is required', async () => {
    const before = dumpContent(core);
    await expectCode(core.sites.saveSite(admin, newSiteDraft({ name: '   ' })), 'site_name_required');
    expect(dumpContent(core)).toBe(before);
  });

  it('is trimmed', async () => {
    const created = saved(await core.sites.saveSite(admin, newSiteDraft({ name: '  Opua Clinic  ' }))).site;
    expect(created.name).toBe('Opua Clinic');
  });

  it('is unique without regard to case, for new and existing sites', async () => {
    const before = dumpContent(core);
    const error = await expectCode(core.sites.saveSite(admin, newSiteDraft({ name: 'WAIKATO' })), 'site_name_taken');
    expect(error.message).toMatch(/Waikato/);
    await expectCode(core.sites.saveSite(admin, { ...unchangedDraft(core, KOPU), name: 'kawakawa' }), 'site_name_taken');
    expect(dumpContent(core)).toBe(before);
  });

  it('may change only its case on the same site', async () => {
    const result = saved(await core.sites.saveSite(admin, { ...unchangedDraft(core, KOPU), name: 'KOPU HC' }));
    expect(result.site.name).toBe('KOPU HC');
  });
});

describe('password', () => {
  it('is never returned, in any form, and is stored as a hash of its SHA-256', async () => {
    const password = 'kiwi-fruit-42';
    const created = saved(await core.sites.saveSite(admin, newSiteDraft({ password }))).site;
    expect(created.hasPassword).toBe(true);
    const stored = (core.datafile.sqlite.prepare('select password_hash as h from site where id = ?').get(created.siteId) as { h: string }).h;
    expect(stored).toMatch(/^scrypt\$/);
    const everything = JSON.stringify([created, core.sites.getSite({ siteId: created.siteId }), core.sites.listSites({})]);
    expect(everything).not.toContain(password);
    expect(everything).not.toContain(stored);
    expect(everything).not.toContain(stored.split('$')[5]);
    const audit = (core.datafile.sqlite.prepare('select changes from site_audit').all() as { changes: string }[]).map((a) => a.changes).join('\n');
    expect(audit).not.toContain(password);
    expect(audit).not.toContain(stored);
    expect(audit).toContain('"password":{"changed":true}');
    // What a remote site sends (the SHA-256) verifies; the password itself does not.
    await expect(core.hasher.verifySitePasswordSha256(sha256Hex(password), stored)).resolves.toBe(true);
    await expect(core.hasher.verifySitePasswordSha256(password, stored)).resolves.toBe(false);
  });

  it('is kept when a save does not set a new one', async () => {
    const created = saved(await core.sites.saveSite(admin, newSiteDraft({ password: 'first' }))).site;
    const hash = () => core.datafile.sqlite.prepare('select password_hash as h from site where id = ?').get(created.siteId);
    const before = hash();
    saved(await core.sites.saveSite(admin, { ...unchangedDraft(core, created.siteId), code: 'X' }));
    expect(hash()).toEqual(before);
  });
});

describe('a draft', () => {
  it('that is cancelled leaves the datafile unchanged in content', async () => {
    const before = dumpContent(core);
    // Everything a person does while editing, short of OK: open, pick stores, look around.
    const site = core.sites.getSite({ siteId: WAIKATO });
    const addable = core.sites.listAddableStores({ draftStoreIds: site.stores.map((s) => s.storeId), search: 'o' });
    expect(addable.rows.length).toBeGreaterThan(0);
    core.sites.newSite();
    core.sites.listSites({ search: 'a', sort: { column: 'code', direction: 'desc' } });
    // ...then Cancel: nothing is sent.
    expect(dumpContent(core)).toBe(before);
  });

  it('that fails on OK saves none of its changes, stores included', async () => {
    const before = dumpContent(core);
    await expectCode(
      core.sites.saveSite(admin, {
        ...unchangedDraft(core, WAIKATO),
        name: 'Auckland Hospital',
        code: 'changed',
        addStoreIds: [storeIdByCode(core, 'Tamaki')],
        removeStoreIds: [storeIdByCode(core, 'TAU_DH')],
      }),
      'site_name_taken',
    );
    expect(dumpContent(core)).toBe(before);
  });

  it('applies fields, added and removed stores and the queued store data together on OK', async () => {
    const result = saved(
      await core.sites.saveSite(admin, {
        ...unchangedDraft(core, WAIKATO),
        code: 'WKT',
        type: 'standalone',
        useJsNodeHttpClient: true,
        addStoreIds: [storeIdByCode(core, 'Opua')],
        removeStoreIds: [storeIdByCode(core, 'TAU_DH')],
      }),
    );
    expect(result.site).toMatchObject({ code: 'WKT', useJsNodeHttpClient: true });
    expect(result.site.stores.map((s) => s.code).sort()).toEqual(['Opua', 'Waikato']);
    expect(siteOfStore(core, 'TAU_DH')).toBe(1);
    expect(result.queuedRecords).toBe(4);
    // One "send this store's data" entry: filled in with the lines when it is sent.
    expect(queuedFor(WAIKATO)).toMatchObject([{ table_name: 'store_data', store_id: storeIdByCode(core, 'Opua'), data: null }]);
  });
});

describe('adding stores', () => {
  it('takes a store off the central server site without asking', async () => {
    const result = saved(await core.sites.saveSite(admin, { ...unchangedDraft(core, KOPU), addStoreIds: [storeIdByCode(core, 'KamoRW')] }));
    expect(result.site.stores.map((s) => s.code).sort()).toEqual(['KamoRW', 'Kopu']);
    expect(siteOfStore(core, 'KamoRW')).toBe(KOPU);
  });

  it("queues one 'send this store's data' entry per added store for an existing site, in order, and cancels what the old site had queued", async () => {
    const tamaki = storeIdByCode(core, 'Tamaki');
    const opua = storeIdByCode(core, 'Opua');
    const result = saved(await core.sites.saveSite(admin, { ...unchangedDraft(core, AUCKLAND), addStoreIds: [tamaki, opua] }));
    expect(result.queuedRecords).toBe(8);
    expect(queuedFor(AUCKLAND).map((q) => [q.table_name, q.store_id, q.sequence])).toEqual([
      ['store_data', tamaki, 1],
      ['store_data', opua, 2],
    ]);
    // Moving Opua on to Kopu HC cancels what Auckland had queued for it (finding 6 of the ownership issue).
    saved(await core.sites.saveSite(admin, { ...unchangedDraft(core, KOPU), addStoreIds: [opua] }));
    expect(queuedFor(AUCKLAND).map((q) => q.store_id)).toEqual([tamaki]);
    expect(queuedFor(KOPU).map((q) => q.store_id)).toEqual([opua]);
    // A later move queues after what is waiting.
    saved(await core.sites.saveSite(admin, { ...unchangedDraft(core, AUCKLAND), addStoreIds: [storeIdByCode(core, 'KamoRW')] }));
    expect(queuedFor(AUCKLAND).map((q) => [q.store_id, q.sequence])).toEqual([
      [tamaki, 1],
      [storeIdByCode(core, 'KamoRW'), 2],
    ]);
  });

  it('queues nothing for a new site (it receives everything when it is initialised)', async () => {
    const result = saved(await core.sites.saveSite(admin, newSiteDraft({ addStoreIds: [storeIdByCode(core, 'Tamaki')] })));
    expect(result.queuedRecords).toBe(0);
    expect(result.site.stores.map((s) => s.code)).toEqual(['Tamaki']);
  });

  it('asks for confirmation before taking a store off a remote site in active use', async () => {
    const kawakawaStore = storeIdByCode(core, 'Kawakawa');
    const draft = { ...unchangedDraft(core, WAIKATO), addStoreIds: [kawakawaStore] };
    const before = dumpContent(core);
    const first = await core.sites.saveSite(admin, draft);
    expect(first.status).toBe('needs_confirmation');
    if (first.status !== 'needs_confirmation') return;
    expect(first.confirmations).toHaveLength(1);
    expect(first.confirmations[0]!.kind).toBe('move_store_from_active_site');
    expect(first.confirmations[0]!.message).toMatch(/Kawakawa Health Centre \(on Kawakawa\)/);
    expect(dumpContent(core)).toBe(before);

    const second = saved(await core.sites.saveSite(admin, { ...draft, confirmations: ['move_store_from_active_site'] as never[] }));
    expect(second.site.stores.map((s) => s.code)).toContain('Kawakawa');
    expect(siteOfStore(core, 'Kawakawa')).toBe(WAIKATO);
  });

  it('does not ask when the store comes from a remote site that has never synced', async () => {
    const result = await core.sites.saveSite(admin, { ...unchangedDraft(core, WAIKATO), addStoreIds: [storeIdByCode(core, 'Kopu')] });
    expect(result.status).toBe('saved');
  });

  it('refuses a store that no longer exists and changes nothing', async () => {
    const before = dumpContent(core);
    await expectCode(core.sites.saveSite(admin, { ...unchangedDraft(core, WAIKATO), addStoreIds: [9999] }), 'store_not_found');
    expect(dumpContent(core)).toBe(before);
  });
});

describe('removing stores', () => {
  it('puts a removed store on the central server site', async () => {
    const result = saved(await core.sites.saveSite(admin, { ...unchangedDraft(core, WAIKATO), removeStoreIds: [storeIdByCode(core, 'TAU_DH')] }));
    expect(result.site.stores.map((s) => s.code)).toEqual(['Waikato']);
    expect(siteOfStore(core, 'TAU_DH')).toBe(1);
    expect(core.sites.getSite({ siteId: 1 }).stores.map((s) => s.code)).toContain('TAU_DH');
  });

  it('cannot remove a store from the central server site (add it to another site instead)', async () => {
    await expectCode(
      core.sites.saveSite(admin, { ...unchangedDraft(core, 1), removeStoreIds: [storeIdByCode(core, 'Tamaki')] }),
      'central_store_removal',
    );
  });
});

describe('changing an active site', () => {
  it('asks before renaming a site in active use, saying it will stop syncing', async () => {
    const before = dumpContent(core);
    const result = await core.sites.saveSite(admin, { ...unchangedDraft(core, KAWAKAWA), name: 'Kawakawa Clinic' });
    expect(result.status).toBe('needs_confirmation');
    if (result.status !== 'needs_confirmation') return;
    expect(result.confirmations.map((c) => c.kind)).toEqual(['rename_active_site']);
    expect(result.confirmations[0]!.message).toMatch(/will stop syncing/);
    expect(dumpContent(core)).toBe(before);
  });

  it('asks before changing the password of a site in active use, and then saves both together', async () => {
    const draft = { ...unchangedDraft(core, KAWAKAWA), name: 'Kawakawa Clinic', password: 'new-secret' };
    const result = await core.sites.saveSite(admin, draft);
    expect(result.status === 'needs_confirmation' && result.confirmations.map((c) => c.kind)).toEqual([
      'rename_active_site',
      'change_password_of_active_site',
    ]);
    // Confirming only one of them is not enough.
    const partly = await core.sites.saveSite(admin, { ...draft, confirmations: ['rename_active_site'] as never[] });
    expect(partly.status === 'needs_confirmation' && partly.confirmations.map((c) => c.kind)).toEqual(['change_password_of_active_site']);
    const changed: string[] = [];
    core.sites.events.on('credentialsChanged', (id) => changed.push(String(id)));
    const done = saved(
      await core.sites.saveSite(admin, { ...draft, confirmations: ['rename_active_site', 'change_password_of_active_site'] as never[] }),
    );
    expect(done.site.name).toBe('Kawakawa Clinic');
    expect(changed).toEqual([String(KAWAKAWA)]);
  });

  it('does not ask for sites that have never synced', async () => {
    const result = await core.sites.saveSite(admin, { ...unchangedDraft(core, KOPU), name: 'Kopu Health', password: 'pw' });
    expect(result.status).toBe('saved');
  });
});

describe('deleting a site', () => {
  it('is refused while the site has stores, saying why', async () => {
    const before = dumpContent(core);
    const error = await expectCode(() => core.sites.deleteSite(admin, { siteId: WAIKATO, confirmed: true }), 'site_has_stores');
    expect(error.message).toMatch(/still has 2 stores/);
    expect(dumpContent(core)).toBe(before);
  });

  it('is refused for the active site on this datafile, and for the central server site', async () => {
    const error = await expectCode(() => core.sites.deleteSite(admin, { siteId: 1, confirmed: true }), 'site_is_active');
    expect(error.message).toMatch(/would break your datafile/);
    saved(await core.sites.saveSite(admin, { ...unchangedDraft(core, KOPU), removeStoreIds: [storeIdByCode(core, 'Kopu')] }));
    core.sites.setActiveSite(admin, { siteId: KOPU, confirmed: true });
    const active = await expectCode(() => core.sites.deleteSite(admin, { siteId: KOPU, confirmed: true }), 'site_is_active');
    expect(active.message).toMatch(/active site/);
    // Not active any more, the central server site still cannot go.
    await expectCode(() => core.sites.deleteSite(admin, { siteId: 1, confirmed: true }), 'site_is_central');
  });

  it('asks for confirmation, then deletes a site with no stores', async () => {
    saved(await core.sites.saveSite(admin, { ...unchangedDraft(core, KOPU), removeStoreIds: [storeIdByCode(core, 'Kopu')] }));
    const ask = core.sites.deleteSite(admin, { siteId: KOPU, confirmed: false });
    expect(ask.status).toBe('needs_confirmation');
    expect(core.sites.listSites({}).rows.map((r) => r.siteId)).toContain(KOPU);
    expect(core.sites.deleteSite(admin, { siteId: KOPU, confirmed: true })).toEqual({ status: 'done', siteId: KOPU });
    expect(core.sites.listSites({}).rows.map((r) => r.siteId)).not.toContain(KOPU);
    await expectCode(() => core.sites.getSite({ siteId: KOPU }), 'site_not_found');
  });
});

describe('the active site and the hardware ID', () => {
  it('setting a site as active asks first, then makes this datafile that site', async () => {
    const ask = core.sites.setActiveSite(admin, { siteId: WAIKATO, confirmed: false });
    expect(ask.status === 'needs_confirmation' && ask.confirmations[0]!.message).toMatch(/remote site "Waikato"/);
    expect(core.sites.activeSiteId()).toBe(1);
    const done = core.sites.setActiveSite(admin, { siteId: WAIKATO, confirmed: true });
    expect(done.status === 'done' && done.site.isActiveOnThisDatafile).toBe(true);
    expect(core.sites.isCentralServer()).toBe(false);
    // A remote datafile does not lead with the central server site.
    expect(core.sites.listSites({}).rows[0]!.name).toBe('Auckland Hospital');
  });

  it('resets a hardware ID on the central server only, after confirming', async () => {
    const ask = core.sites.resetHardwareId(admin, { siteId: KAWAKAWA, confirmed: false });
    expect(ask.status).toBe('needs_confirmation');
    expect(core.sites.getSite({ siteId: KAWAKAWA }).hardwareId).not.toBe('');
    const done = core.sites.resetHardwareId(admin, { siteId: KAWAKAWA, confirmed: true });
    expect(done.status === 'done' && done.site.hardwareId).toBe('');

    core.sites.setActiveSite(admin, { siteId: WAIKATO, confirmed: true });
    await expectCode(() => core.sites.resetHardwareId(admin, { siteId: KAWAKAWA, confirmed: true }), 'not_central_server');
  });

  it('cannot be set by a save: the hardware ID is not part of the draft', async () => {
    const draft = { ...unchangedDraft(core, WAIKATO), hardwareId: 'forged' } as never;
    // The contract refuses the unknown field before any service sees it (see the API tests);
    // the service itself never reads one.
    saved(await core.sites.saveSite(admin, draft));
    expect(core.sites.getSite({ siteId: WAIKATO }).hardwareId).toBe('');
  });
});

describe('permissions', () => {
  it('lets a user without the Admin permission view, but not change anything', async () => {
    const viewer = await viewerOf(core);
    const before = dumpContent(core);
    expect(core.sites.listSites({}).rows).toHaveLength(5);
    await expectCode(core.sites.saveSite(viewer, newSiteDraft()), 'permission_denied');
    await expectCode(core.sites.saveSite(viewer, { ...unchangedDraft(core, WAIKATO), code: 'x' }), 'permission_denied');
    await expectCode(() => core.sites.deleteSite(viewer, { siteId: KOPU, confirmed: true }), 'permission_denied');
    await expectCode(() => core.sites.setActiveSite(viewer, { siteId: KOPU, confirmed: true }), 'permission_denied');
    await expectCode(() => core.sites.resetHardwareId(viewer, { siteId: KAWAKAWA, confirmed: true }), 'permission_denied');
    expect(dumpContent(core)).toBe(before);
  });
});

describe('two administrators editing the same site', () => {
  it('refuses the second save, made from the older version, instead of overwriting', async () => {
    const other = await secondAdminOf(core);
    const mine = unchangedDraft(core, WAIKATO);
    const theirs = unchangedDraft(core, WAIKATO);
    saved(await core.sites.saveSite(other, { ...theirs, code: 'THEIRS' }));
    const error = await expectCode(core.sites.saveSite(admin, { ...mine, code: 'MINE' }), 'site_changed');
    expect(error.message).toMatch(/changed by someone else/);
    expect(core.sites.getSite({ siteId: WAIKATO }).code).toBe('THEIRS');
  });

  it('treats a store taken from a site as a change to that site too', async () => {
    const staleKopu = unchangedDraft(core, KOPU);
    saved(await core.sites.saveSite(admin, { ...unchangedDraft(core, WAIKATO), addStoreIds: [storeIdByCode(core, 'Kopu')] }));
    await expectCode(core.sites.saveSite(admin, { ...staleKopu, code: 'K' }), 'site_changed');
  });
});

describe('the audit log', () => {
  it('records who changed which fields of which site, and when', async () => {
    saved(await core.sites.saveSite(admin, { ...unchangedDraft(core, WAIKATO), code: 'WKT', password: 'pw' }));
    const rows = core.datafile.sqlite.prepare('select * from site_audit where site_id = ?').all(WAIKATO) as {
      user_name: string;
      action: string;
      changes: string;
      at: string;
    }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ user_name: 'admin', action: 'update' });
    expect(JSON.parse(rows[0]!.changes)).toEqual({ code: { from: '3', to: 'WKT' }, password: { changed: true } });
    expect(Date.now() - Date.parse(rows[0]!.at)).toBeLessThan(60_000);
  });
});

describe('the sites list', () => {
  it('searches ID, site code and site name, ignoring case', () => {
    expect(core.sites.listSites({ search: 'kawa' }).rows.map((r) => r.name)).toEqual(['Kawakawa']);
    expect(core.sites.listSites({ search: '4' }).rows.map((r) => r.name)).toEqual(['Auckland Hospital']);
    expect(core.sites.listSites({ search: 'HC' }).rows.map((r) => r.name)).toEqual(['Kopu HC']);
    expect(core.sites.listSites({ search: '%' }).rows).toEqual([]);
  });

  it('shows changes saved by another connection or process at the next call', () => {
    expect(core.sites.listSites({ search: 'Opotiki' }).rows).toEqual([]);
    const other = openDatafile(core.datafile.path);
    other.sqlite.prepare("update site set name = 'Opotiki', name_key = 'opotiki' where id = 5").run();
    other.close();
    expect(core.sites.listSites({ search: 'Opotiki' }).rows.map((r) => r.siteId)).toEqual([5]);
  });

  it('keeps the central server site first on the central server, whatever the sort', () => {
    const byNameDesc = core.sites.listSites({ sort: { column: 'name', direction: 'desc' } }).rows.map((r) => r.siteId);
    expect(byNameDesc).toEqual([1, 3, 5, 2, 4]);
    const byId = core.sites.listSites({ sort: { column: 'id', direction: 'desc' } }).rows.map((r) => r.siteId);
    expect(byId).toEqual([1, 5, 4, 3, 2]);
    const byType = core.sites.listSites({ sort: { column: 'deviceType', direction: 'asc' } }).rows.map((r) => r.siteId);
    expect(byType).toEqual([1, 2, 4, 5, 3]);
  });
});
