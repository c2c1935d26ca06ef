/**
 * Store data sync over real HTTP: a central (the documentation's demo system) and remote
 * datafiles for Waikato (stores Waikato District Store, Taurangi District Hospital) and Kopu HC
 * (Kopu Health Centre).
 */
import type { Core } from '../../main/core';
import { type SyncHttpClient, SyncTransportError } from '../../main/net/http-client';
import { NodeHttpClient } from '../../main/net/node-http-client';
import { adminOf, storeIdByCode, unchangedDraft, viewerOf } from '../helpers/core';
import { type Central, KOPU, WAIKATO } from './helpers';
import {
  KOPU_PASSWORD,
  WAIKATO_PASSWORD,
  centralWithSites,
  remoteSite,
  restartCentral,
  stopCentral,
  storeData,
  storesOfSite,
  syncOk,
} from './store-sync-helpers';

let central: Central;
const remotes: Core[] = [];
afterEach(async () => {
  for (const remote of remotes.splice(0)) remote.close();
  if (central) await stopCentral(central);
});

async function waikatoRemote(): Promise<Core> {
  const remote = await remoteSite(central.url, 'Waikato', WAIKATO_PASSWORD, 'waikato-device');
  remotes.push(remote);
  return remote;
}

async function kopuRemote(): Promise<Core> {
  const remote = await remoteSite(central.url, 'Kopu HC', KOPU_PASSWORD, 'kopu-device');
  remotes.push(remote);
  return remote;
}

describe('initialising a remote site', () => {
  it('receives the sites, its stores with all their data, and becomes its own site', async () => {
    central = await centralWithSites();
    const remote = await waikatoRemote();
    expect(remote.syncRunner.status()).toMatchObject({ configured: true, initialised: false, running: false });

    const status = await syncOk(remote);
    expect(status).toMatchObject({ initialised: true, lastError: null, waitingOut: 0, waitingIn: 0, refused: 0 });
    expect(status.lastSuccessAt).not.toBeNull();

    expect(remote.sites.activeSiteId()).toBe(WAIKATO);
    expect(remote.sites.isCentralServer()).toBe(false);
    expect(
      remote.sites
        .listSites({})
        .rows.map((r) => r.name)
        .sort(),
    ).toEqual(
      central.core.sites
        .listSites({})
        .rows.map((r) => r.name)
        .sort(),
    );
    expect(remote.stock.listStores().map((s) => [s.code, s.lineCount])).toEqual([
      ['TAU_DH', 4],
      ['Waikato', 4],
    ]);
    const waikatoStores = storesOfSite(central.core, WAIKATO);
    expect(storeData(remote, waikatoStores)).toEqual(storeData(central.core, waikatoStores));
    expect(storeData(remote, waikatoStores)).toHaveLength(8);
    // Only its own stores' data: nothing of Kopu's.
    expect(storeData(remote, [storeIdByCode(central.core, 'Kopu')])).toEqual([]);
    // The central's queue for Waikato is empty: everything was acknowledged.
    expect(central.core.datafile.sqlite.prepare('select count(*) from sync_out where site_id = ?').pluck().get(WAIKATO)).toBe(0);
    expect(central.core.sites.getSite({ siteId: WAIKATO }).inActiveUse).toBe(true);
  });

  it('queues one entry per store, filled in when handed out; a second initialise needs Re-initialise', async () => {
    central = await centralWithSites({ runLeaseMs: 300 });
    const store = storeIdByCode(central.core, 'Waikato');
    const { sqlite } = central.core.datafile;
    const insert = sqlite.prepare('insert into store_record (id, store_id, item_code, item_name, quantity) values (?, ?, ?, ?, ?)');
    sqlite.transaction(() => {
      for (let i = 0; i < 3000; i += 1) insert.run(`bulk-${i}`, store, `B${i}`, `Bulk item ${i}`, i);
    })();
    const remote = await waikatoRemote();
    const statuses: string[] = [];
    remote.syncRunner.events.on('status', () => {
      const progress = remote.syncRunner.status().progress;
      if (progress && statuses.at(-1) !== progress.phase) statuses.push(progress.phase);
    });
    const { syncCall } = await import('./helpers');
    const call = (route: string, method = 'GET', body?: string, instance = 'probe-instance') =>
      syncCall(central.url, route, {
        siteName: 'Waikato',
        password: WAIKATO_PASSWORD,
        hardwareId: 'waikato-device',
        method,
        body,
        headers: { 'msupply-sync-run': `${instance}/probe-run`, ...(body ? { 'content-type': 'application/json' } : {}) },
      });
    const queued = () =>
      sqlite.prepare('select table_name as tableName, count(*) as n from sync_out where site_id = ? group by table_name').all(WAIKATO);
    const started = await call('/sync/v5/initialise', 'POST', '{}');
    expect(started.status).toBe(200);
    expect(started.json).toEqual({ queueLength: 3008 });
    // The save of the queue costs one entry per store, not one row per record.
    expect(queued()).toEqual([{ tableName: 'store_data', n: 2 }]);
    expect((await call('/sync/v5/site_status')).json.code).toBe('idle');
    // The same datafile may repeat an initialise a crash cut short; another may not, unless asked to re-initialise.
    expect((await call('/sync/v5/initialise', 'POST', '{}')).status).toBe(200);
    // Handing out fills the first entry in: "the whole of this store" first, then its lines.
    const first = await call('/sync/v5/queued_records?limit=10');
    expect(first.json.queueLength).toBe(3008 + 2);
    expect(first.json.data[0]).toMatchObject({ tableName: 'store_data', action: 'insert' });
    expect(first.json.data[1]).toMatchObject({ tableName: 'store_record', action: 'insert' });
    const leaseLapses = () => new Promise((resolve) => setTimeout(resolve, 350));
    await leaseLapses();
    const second = await call('/sync/v5/initialise', 'POST', '{}', 'other-instance');
    expect(second.status).toBe(409);
    expect(second.json.error.code).toBe('site_already_initialised');
    await leaseLapses();

    // The remote is another datafile: its first sync is refused in words, and Re-initialise fetches everything.
    const refusedRun = await remote.syncRunner.syncNow();
    expect(refusedRun.lastError).toMatch(/already been initialised/);
    const admin = await adminOf(remote);
    expect(await remote.syncRunner.reinitialise(admin, { confirmed: false })).toMatchObject({ status: 'needs_confirmation' });
    const again = await remote.syncRunner.reinitialise(admin, { confirmed: true });
    expect(again).toMatchObject({ status: 'done', sync: { lastError: null, initialised: true } });
    expect(storeData(remote, [store])).toEqual(storeData(central.core, [store]));
    expect(storeData(remote, [store])).toHaveLength(3004);
    expect(statuses).toEqual(expect.arrayContaining(['connecting', 'initialising', 'pushing', 'pulling']));
  });
});

describe('a first sync cut short', () => {
  it("after some of the central's sites and stores arrived, carries on at the next sync (found by the SIGKILL fault test)", async () => {
    central = await centralWithSites();
    const inner = new NodeHttpClient();
    let centralRecordCalls = 0;
    const cutting: SyncHttpClient = {
      name: 'cutting',
      async request(request) {
        if (request.url.includes('/central_records') && ++centralRecordCalls === 2) throw new SyncTransportError('unable_to_connect', 'cut (test)');
        return inner.request(request);
      },
    };
    const remote = await remoteSite(central.url, 'Waikato', WAIKATO_PASSWORD, 'waikato-device', {
      nodeClient: cutting,
      retry: { attempts: 1, firstTimeoutMs: 5000, retryPauseMs: 1 },
      syncRunner: { statusPollMs: 5, pullBatch: 3 },
    });
    remotes.push(remote);
    expect((await remote.syncRunner.syncNow()).lastError).toMatch(/Unable to connect/);
    // Part of the central's sites and stores are here; the datafile is not yet the site Waikato, nor
    // its own central server any more (record-ownership.test.ts: nothing is edited here meanwhile).
    expect(remote.sites.isCentralServer()).toBe(false);
    expect(remote.syncRunner.status()).toMatchObject({ isCentralServer: false, initialised: false });
    const status = await syncOk(remote);
    expect(status).toMatchObject({ initialised: true, isCentralServer: false });
    expect(remote.sites.activeSiteId()).toBe(WAIKATO);
  });
});

describe('editing stock at a remote site', () => {
  it('edits made while the central server is down reach it after it comes back', async () => {
    central = await centralWithSites();
    const port = central.running.port;
    const remote = await waikatoRemote();
    await syncOk(remote);
    const user = await viewerOf(remote);
    const [tau, waikato] = remote.stock.listStores();
    const lines = remote.stock.listLines({ storeId: waikato!.storeId }).lines;

    await central.running.stop();
    const added = remote.stock.saveLine(user, {
      storeId: tau!.storeId,
      lineId: null,
      itemCode: 'ZINC',
      itemName: 'Zinc 20mg tablets',
      quantity: 120,
    });
    remote.stock.saveLine(user, { ...lines[0]!, lineId: lines[0]!.lineId, quantity: 3 });
    remote.stock.saveLine(user, { ...lines[0]!, lineId: lines[0]!.lineId, quantity: 4 });
    remote.stock.deleteLine(user, { lineId: lines[1]!.lineId });

    const offline = await remote.syncRunner.syncNow();
    expect(offline.lastError).toMatch(/^Unable to connect to server\. Changes made here are kept/);
    // The two changes of one line travel as one: the line as it is now.
    expect(offline.waitingOut).toBe(3);
    expect(offline.initialised).toBe(true);

    await restartCentral(central, port);
    const online = await syncOk(remote);
    expect(online).toMatchObject({ waitingOut: 0, lastError: null, refused: 0 });
    const stores = storesOfSite(central.core, WAIKATO);
    expect(storeData(central.core, stores)).toEqual(storeData(remote, stores));
    const atCentral = (id: string) => central.core.datafile.sqlite.prepare('select quantity from store_record where id = ?').pluck().get(id);
    expect(atCentral(added.lineId)).toBe(120);
    expect(atCentral(lines[0]!.lineId)).toBe(4);
    expect(atCentral(lines[1]!.lineId)).toBeUndefined();
  });

  it('refuses edits of stores that are not active on this site, in words', async () => {
    central = await centralWithSites();
    const remote = await waikatoRemote();
    await syncOk(remote);
    const user = await viewerOf(remote);
    expect(() =>
      remote.stock.saveLine(user, { storeId: storeIdByCode(remote, 'Kopu'), lineId: null, itemCode: 'X', itemName: 'X', quantity: 1 }),
    ).toThrow('The store "Kopu Health Centre" is not active on this site, so its stock cannot be edited here.');
    expect(remote.syncRunner.status().waitingOut).toBe(0);
  });
});

describe('deletes and corrections made on the central server', () => {
  it('reach the remote site; a change made here meanwhile is a conflict, kept for review, and sent again on request', async () => {
    central = await centralWithSites();
    const remote = await waikatoRemote();
    await syncOk(remote);
    const centralAdmin = await adminOf(central.core);
    const store = storeIdByCode(central.core, 'Waikato');
    const [first, second, third] = central.core.stock.listLines({ storeId: store }).lines;

    // An administrator on the central corrects and deletes lines of a remote site's store.
    central.core.stock.saveLine(centralAdmin, { ...first!, lineId: first!.lineId, quantity: 999 });
    central.core.stock.deleteLine(centralAdmin, { lineId: second!.lineId });
    central.core.stock.saveLine(centralAdmin, { ...third!, lineId: third!.lineId, quantity: 1 });
    // Meanwhile the remote changed the third line from the version before the correction.
    const remoteAdmin = await adminOf(remote);
    remote.stock.saveLine(remoteAdmin, { ...third!, lineId: third!.lineId, quantity: 77 });

    await syncOk(remote);
    let lines = storeData(remote, [store]);
    expect(lines.find((l) => l.id === first!.lineId)?.quantity).toBe(999);
    expect(lines.find((l) => l.id === second!.lineId)).toBeUndefined();
    // The newer value (the central's correction) is not overwritten by the older edit; both sides show it.
    expect(lines.find((l) => l.id === third!.lineId)?.quantity).toBe(1);
    expect(storeData(central.core, [store])).toEqual(lines);
    const { rows } = remote.refusedChanges.list();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.refusedMessage).toMatch(/was changed at "Tamaki Central Synchronisation Server" since this change was made/);

    // The administrator decides the site's value wins: sent again, it is taken.
    remote.refusedChanges.retry(remoteAdmin, [rows[0]!.id]);
    await syncOk(remote);
    lines = storeData(remote, [store]);
    expect(lines.find((l) => l.id === third!.lineId)?.quantity).toBe(77);
    expect(storeData(central.core, [store])).toEqual(lines);
  });

  it('arrive in the order they were made, within one batch: a line added, changed and deleted between two syncs stays deleted', async () => {
    central = await centralWithSites();
    const remote = await waikatoRemote();
    await syncOk(remote);
    const centralAdmin = await adminOf(central.core);
    const store = storeIdByCode(central.core, 'Waikato');
    const [first] = central.core.stock.listLines({ storeId: store }).lines;

    // Queued for the site in this order, and handed out in one batch.
    const before = central.core.stock.saveLine(centralAdmin, { storeId: store, lineId: null, itemCode: 'NEW1', itemName: 'New before', quantity: 1 });
    central.core.stock.saveLine(centralAdmin, { ...first!, lineId: first!.lineId, quantity: 555 });
    const passing = central.core.stock.saveLine(centralAdmin, {
      storeId: store,
      lineId: null,
      itemCode: 'GONE',
      itemName: 'Gone again',
      quantity: 2,
    });
    central.core.stock.saveLine(centralAdmin, { ...passing, lineId: passing.lineId, quantity: 3 });
    central.core.stock.deleteLine(centralAdmin, { lineId: passing.lineId });
    const after = central.core.stock.saveLine(centralAdmin, { storeId: store, lineId: null, itemCode: 'NEW2', itemName: 'New after', quantity: 4 });
    const queued = central.core.datafile.sqlite.prepare('select action from sync_out where site_id = ? order by sequence').pluck().all(WAIKATO);
    expect(queued).toEqual(['insert', 'update', 'insert', 'update', 'delete', 'insert']);

    await syncOk(remote);
    const lines = storeData(remote, [store]);
    expect(lines.find((l) => l.id === passing.lineId)).toBeUndefined();
    expect(lines.find((l) => l.id === first!.lineId)?.quantity).toBe(555);
    expect(
      lines
        .filter((l) => l.id === before.lineId || l.id === after.lineId)
        .map((l) => l.quantity)
        .sort(),
    ).toEqual([1, 4]);
    expect(lines).toEqual(storeData(central.core, [store]));
  });

  it('a user without the sync permission cannot edit a remote store on the central', async () => {
    central = await centralWithSites();
    const viewer = await viewerOf(central.core);
    const store = storeIdByCode(central.core, 'Waikato');
    expect(() => central.core.stock.saveLine(viewer, { storeId: store, lineId: null, itemCode: 'A', itemName: 'A', quantity: 1 })).toThrow(
      /not active on this site/,
    );
  });
});

describe('moving a store from one remote site to the other', () => {
  it('arrives with all its data, and the old site can no longer push for it: its changes are refused and kept', async () => {
    central = await centralWithSites();
    const waikato = await waikatoRemote();
    const kopu = await kopuRemote();
    await syncOk(waikato);
    await syncOk(kopu);
    const tau = storeIdByCode(central.core, 'TAU_DH');
    const waikatoUser = await viewerOf(waikato);
    const line = waikato.stock.listLines({ storeId: tau }).lines[0]!;
    waikato.stock.saveLine(waikatoUser, { ...line, lineId: line.lineId, quantity: 55 });
    await syncOk(waikato);

    // The old site goes on editing offline after the move (what the documentation warns about).
    const late = waikato.stock.saveLine(waikatoUser, {
      storeId: tau,
      lineId: null,
      itemCode: 'LATE',
      itemName: 'Entered after the move',
      quantity: 9,
    });
    const admin = await adminOf(central.core);
    const moved = await central.core.sites.saveSite(admin, {
      ...unchangedDraft(central.core, KOPU),
      addStoreIds: [tau],
      confirmations: ['move_store_from_active_site'],
    });
    expect(moved).toMatchObject({ status: 'saved', queuedRecords: 4 });

    await syncOk(kopu);
    expect(kopu.stock.listStores().map((s) => s.code)).toEqual(['Kopu', 'TAU_DH']);
    expect(storeData(kopu, [tau])).toEqual(storeData(central.core, [tau]));
    expect(storeData(kopu, [tau]).find((l) => l.id === line.lineId)?.quantity).toBe(55);

    const after = await waikato.syncRunner.syncNow();
    expect(after.lastError).toBeNull();
    expect(after).toMatchObject({ refused: 1, waitingOut: 0 });
    expect(after.refusedMessage).toBe(
      'Store "Taurangi District Hospital" is no longer active on this site (it is now on "Kopu HC"), so its changes were refused.',
    );
    // Kept on the remote, not applied on the central, and not sent again.
    expect(waikato.datafile.sqlite.prepare('select count(*) from remote_out where record_id = ?').pluck().get(late.lineId)).toBe(1);
    expect(central.core.datafile.sqlite.prepare('select count(*) from store_record where id = ?').pluck().get(late.lineId)).toBe(0);
    expect(waikato.stock.listStores().map((s) => s.code)).toEqual(['Waikato']);
    expect((await waikato.syncRunner.syncNow()).refused).toBe(1);
    // Kopu edits the moved store and the central takes it.
    kopu.stock.saveLine(await viewerOf(kopu), { ...line, lineId: line.lineId, quantity: 56 });
    await syncOk(kopu);
    expect(storeData(central.core, [tau]).find((l) => l.id === line.lineId)?.quantity).toBe(56);

    // An administrator at Waikato resolves the refused change. Only with the sync permission:
    const listed = waikato.refusedChanges.list();
    expect(listed.rows).toEqual([expect.objectContaining({ recordId: late.lineId, itemCode: 'LATE', action: 'insert' })]);
    expect(() => waikato.refusedChanges.retry(waikatoUser, [listed.rows[0]!.id])).toThrow(/permission to edit sync settings/);
    // The store comes back to Waikato; the change, sent again, is accepted this time.
    const back = await central.core.sites.saveSite(admin, {
      ...unchangedDraft(central.core, WAIKATO),
      addStoreIds: [tau],
      confirmations: ['move_store_from_active_site'],
    });
    expect(back.status).toBe('saved');
    await syncOk(waikato);
    expect(waikato.refusedChanges.retry(await adminOf(waikato), [listed.rows[0]!.id])).toEqual({ count: 1 });
    expect((await syncOk(waikato)).refused).toBe(0);
    expect(central.core.datafile.sqlite.prepare('select item_code from store_record where id = ?').pluck().get(late.lineId)).toBe('LATE');
    expect(waikato.refusedChanges.list()).toEqual({ rows: [], total: 0 });
  });
});
