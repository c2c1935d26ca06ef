/**
 * Who owns each record, and nothing lost when stores move: each finding of the ownership issue
 * as it was seen, over real HTTP on 127.0.0.1, with a central (the documentation's demo system)
 * and remote datafiles for Waikato (stores Waikato, TAU_DH) and Kopu HC (store Kopu).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHandlers, dispatch } from '../../main/api/core-api';
import { type Core, openCore } from '../../main/core';
import { type SyncHttpClient, SyncTransportError } from '../../main/net/http-client';
import { NodeHttpClient } from '../../main/net/node-http-client';
import { adminOf, fastHasher, storeIdByCode, tempDir, unchangedDraft } from '../helpers/core';
import { type Central, KOPU, noLimits, syncCall, WAIKATO } from './helpers';
import { startServer } from '../../main/hosts/server';
import {
  fastRemote,
  lossyClient,
  moveStore as moveStoreOn,
  KOPU_PASSWORD,
  WAIKATO_PASSWORD,
  centralWithSites,
  remoteSite,
  stopCentral,
  storeData,
  syncOk,
} from './store-sync-helpers';

let central: Central;
const remotes: Core[] = [];
afterEach(async () => {
  for (const remote of remotes.splice(0)) if (remote.datafile.sqlite.open) remote.close();
  if (central) await stopCentral(central);
});

async function remoteFor(site: 'Waikato' | 'Kopu HC', options: Parameters<typeof remoteSite>[4] = {}): Promise<Core> {
  const remote =
    site === 'Waikato'
      ? await remoteSite(central.url, 'Waikato', WAIKATO_PASSWORD, 'waikato-device', options)
      : await remoteSite(central.url, 'Kopu HC', KOPU_PASSWORD, 'kopu-device', options);
  remotes.push(remote);
  return remote;
}

/** An administrator on the central moves a store to a site (the central server site: removes it from its site). */
const moveStore = (code: string, toSiteId: number) => moveStoreOn(central.core, code, toSiteId);

const linesOf = (core: Core, code: string) => storeData(core, [storeIdByCode(central.core, code)]);
/** A sync call as Waikato's own device would make it, from a run named `instance`. */
const asWaikato = (route: string, body: unknown, instance = 'probe') =>
  syncCall(central.url, route, {
    siteName: 'Waikato',
    password: WAIKATO_PASSWORD,
    hardwareId: 'waikato-device',
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', 'msupply-sync-run': `${instance}/run` },
  });

/** Waikato's remote whose next push loses its answer after the central handled it, after loseNextPush(). */
async function waikatoLosingAnswers(): Promise<{ remote: Core; loseNextPush(): void }> {
  let loseNext = false;
  const remote = await remoteFor('Waikato', {
    retry: { ...fastRemote.retry, attempts: 1 },
    nodeClient: lossyClient((method, url) => {
      const lose = loseNext && method === 'POST' && url.endsWith('/queued_records');
      if (lose) loseNext = false;
      return lose;
    }),
  });
  return { remote, loseNextPush: () => (loseNext = true) };
}

const line = (core: Core, id: string) =>
  core.datafile.sqlite.prepare('select quantity, version from store_record where id = ?').get(id) as
    { quantity: number; version: number } | undefined;

describe('1. sites and stores are edited on a remote datafile', () => {
  it('is refused there after the first sync: the central owns sites and stores, and whoAmI says so', async () => {
    central = await centralWithSites();
    const remote = await remoteFor('Waikato');
    // Before its first sync the fresh datafile is still its own little system.
    expect(remote.sites.getSite({ siteId: 1 })).toMatchObject({ isCentral: true });
    await syncOk(remote);
    const admin = await adminOf(remote);
    const kopuStore = storeIdByCode(remote, 'Kopu');
    const refusals = [
      () => remote.sites.saveSite(admin, { ...unchangedDraft(remote, WAIKATO), addStoreIds: [kopuStore] }),
      () => remote.sites.saveSite(admin, { ...unchangedDraft(remote, WAIKATO), code: 'WKT' }),
      async () => remote.sites.deleteSite(admin, { siteId: KOPU, confirmed: true }),
      async () => remote.sites.setActiveSite(admin, { siteId: KOPU, confirmed: true }),
    ];
    for (const refused of refusals) {
      await expect(refused()).rejects.toMatchObject({
        error: { code: 'sites_edited_on_central' },
        message: expect.stringContaining('edited on the central server, "Tamaki Central Synchronisation Server"'),
      });
    }
    expect(
      remote.sites
        .getSite({ siteId: WAIKATO })
        .stores.map((s) => s.code)
        .sort(),
    ).toEqual(['TAU_DH', 'Waikato']);
    // Its own site shows what the central knows: this machine's hardware ID, bound by the first sync.
    expect(remote.sites.getSite({ siteId: WAIKATO }).hardwareId).toBe('waikato-device');

    const handlers = createHandlers(remote);
    const session = { userId: admin.userId };
    const who = await dispatch(handlers, session, 'whoAmI', {});
    expect(who).toMatchObject({
      ok: true,
      value: { datafile: { isRemoteSite: true, isCentralServer: false, centralServerName: 'Tamaki Central Synchronisation Server' } },
    });
    const viaApi = await dispatch(handlers, session, 'deleteSite', { siteId: KOPU, confirmed: true });
    expect(viaApi).toMatchObject({ ok: false, error: { code: 'sites_edited_on_central' } });
  });
});

describe('2. a deleted line comes back', () => {
  it('does not, when the store leaves Waikato and comes back while Waikato is offline', async () => {
    central = await centralWithSites();
    const waikato = await remoteFor('Waikato');
    await syncOk(waikato);
    const deleted = linesOf(central.core, 'TAU_DH')[0]!;
    await moveStore('TAU_DH', 1);
    central.core.stock.deleteLine(await adminOf(central.core), { lineId: deleted.id });
    await moveStore('TAU_DH', WAIKATO);

    await syncOk(waikato);
    expect(line(waikato, deleted.id)).toBeUndefined();
    expect(linesOf(waikato, 'TAU_DH')).toEqual(linesOf(central.core, 'TAU_DH'));
    // An edit of what Waikato has does not re-create anything on the central.
    const kept = linesOf(waikato, 'TAU_DH')[0]!;
    waikato.stock.saveLine(await adminOf(waikato), {
      storeId: kept.storeId,
      lineId: kept.id,
      itemCode: kept.itemCode,
      itemName: kept.itemName,
      quantity: 5,
    });
    await syncOk(waikato);
    expect(line(central.core, deleted.id)).toBeUndefined();
    expect(linesOf(waikato, 'TAU_DH')).toEqual(linesOf(central.core, 'TAU_DH'));
  });

  it('does not, when Kopu HC deletes the line while it holds the store', async () => {
    central = await centralWithSites();
    const waikato = await remoteFor('Waikato');
    const kopu = await remoteFor('Kopu HC');
    await syncOk(waikato);
    await syncOk(kopu);
    await moveStore('TAU_DH', KOPU);
    await syncOk(kopu);
    const deleted = linesOf(kopu, 'TAU_DH')[1]!;
    kopu.stock.deleteLine(await adminOf(kopu), { lineId: deleted.id });
    await syncOk(kopu);
    await moveStore('TAU_DH', WAIKATO);
    await syncOk(waikato);
    expect(line(waikato, deleted.id)).toBeUndefined();
    expect(linesOf(waikato, 'TAU_DH')).toEqual(linesOf(central.core, 'TAU_DH'));
    // Kopu HC no longer shows the store, nor its data.
    await syncOk(kopu);
    expect(kopu.stock.listStores().map((s) => s.code)).toEqual(['Kopu']);
    expect(linesOf(kopu, 'TAU_DH')).toEqual([]);
  });
});

describe('3. a stale offline edit silently overwrites a newer one', () => {
  it('is a conflict instead: the newer value stays, and the stale edit is listed for review naming where it changed', async () => {
    central = await centralWithSites();
    const waikato = await remoteFor('Waikato');
    const kopu = await remoteFor('Kopu HC');
    await syncOk(waikato);
    await syncOk(kopu);
    const target = linesOf(waikato, 'TAU_DH')[0]!;
    const edit = { storeId: target.storeId, lineId: target.id, itemCode: target.itemCode, itemName: target.itemName };
    waikato.stock.saveLine(await adminOf(waikato), { ...edit, quantity: 111 }); // offline: not synced

    await moveStore('TAU_DH', KOPU);
    await syncOk(kopu);
    kopu.stock.saveLine(await adminOf(kopu), { ...edit, quantity: 222 });
    await syncOk(kopu);
    await moveStore('TAU_DH', WAIKATO);

    const status = await syncOk(waikato);
    expect(line(central.core, target.id)?.quantity).toBe(222);
    expect(line(waikato, target.id)?.quantity).toBe(222);
    expect(status.refused).toBe(1);
    const [refused] = waikato.refusedChanges.list().rows;
    expect(refused).toMatchObject({ recordId: target.id, refusedMessage: expect.stringContaining('was changed at "Kopu HC" since') });
    expect(linesOf(waikato, 'TAU_DH')).toEqual(linesOf(central.core, 'TAU_DH'));
  });
});

/** Node's client; after cutAfterPushes(n), pushes after the next n fail before they are sent. */
function switchableClient(): SyncHttpClient & { cutAfterPushes(n: number | null): void } {
  const inner = new NodeHttpClient();
  let allowed: number | null = null;
  return {
    name: 'switchable',
    cutAfterPushes(n) {
      allowed = n;
    },
    async request(request) {
      if (allowed !== null && request.method === 'POST' && request.url.endsWith('/queued_records')) {
        if (allowed === 0) throw new SyncTransportError('unable_to_connect', 'cut (test)');
        allowed -= 1;
      }
      return inner.request(request);
    },
  };
}

describe('4. records parked where nobody sees them', () => {
  it('does not happen: records buffered when their store moves are answered back to the site and counted refused', async () => {
    central = await centralWithSites();
    const client = switchableClient();
    const waikato = await remoteFor('Waikato', { nodeClient: client, syncRunner: { ...fastRemote.syncRunner, pushBatch: 1 } });
    await syncOk(waikato);
    const admin = await adminOf(waikato);
    const lines = linesOf(waikato, 'TAU_DH').slice(0, 3);
    for (const l of lines)
      waikato.stock.saveLine(admin, { storeId: l.storeId, lineId: l.id, itemCode: l.itemCode, itemName: l.itemName, quantity: 900 });

    // The first batch is taken (buffered, not yet integrated); the run is cut before the last one.
    client.cutAfterPushes(1);
    expect((await waikato.syncRunner.syncNow()).lastError).toMatch(/Unable to connect/);
    const buffered = () => central.core.datafile.sqlite.prepare('select count(*) from sync_in').pluck().get();
    expect(buffered()).toBe(1);
    await moveStore('TAU_DH', KOPU);

    client.cutAfterPushes(null);
    const status = await syncOk(waikato);
    await central.running.server.centralStoreSync.idle();
    await syncOk(waikato);
    // All three changes are back at the site, as refused changes with the reason; none stays in the central's buffer.
    expect(buffered()).toBe(0);
    expect(waikato.syncRunner.status().refused).toBe(3);
    expect(status.waitingOut).toBe(0);
    expect(new Set(waikato.refusedChanges.list().rows.map((r) => r.recordId))).toEqual(new Set(lines.map((l) => l.id)));
    for (const row of waikato.refusedChanges.list().rows) expect(row.refusedMessage).toMatch(/no longer active on this site|moved to "Kopu HC"/);
    // The central's lines are unchanged, and Waikato no longer holds the store's data.
    for (const l of lines) expect(line(central.core, l.id)?.quantity).toBe(l.quantity);
    expect(linesOf(waikato, 'TAU_DH')).toEqual([]);
  });
});

describe('4b. a refusal answered back in the queue', () => {
  it('still reaches the site when the store moves away before the site pulls it', async () => {
    central = await centralWithSites({ runLeaseMs: 100 });
    const waikato = await remoteFor('Waikato');
    await syncOk(waikato);
    const target = linesOf(central.core, 'TAU_DH')[0]!;
    const push = (queueLength: number, data: unknown[]) => asWaikato('/sync/v5/queued_records', { queueLength, data });
    // A change is taken into the buffer; the central corrects the line before integrating it.
    const change = {
      syncOutId: 1000,
      tableName: 'store_record',
      recordId: target.id,
      action: 'update',
      baseVersion: target.version,
      recordData: { ...target, quantity: 4444, version: target.version + 1 },
    };
    expect((await push(1, [change])).status).toBe(200);
    central.core.stock.saveLine(await adminOf(central.core), {
      storeId: target.storeId,
      lineId: target.id,
      itemCode: target.itemCode,
      itemName: target.itemName,
      quantity: 5555,
    });
    expect((await push(0, [])).json.integrationStarted).toBe(true);
    await central.running.server.centralStoreSync.idle();
    // The conflict is queued back for Waikato; then the store leaves Waikato before it syncs.
    await moveStore('TAU_DH', 1);
    await new Promise((resolve) => setTimeout(resolve, 150)); // the probe's run lease lapses
    await syncOk(waikato);
    const refused = waikato.refusedChanges.list().rows;
    expect(refused).toEqual([
      expect.objectContaining({ recordId: target.id, refusedMessage: expect.stringContaining('since this change was made') }),
    ]);
    expect(line(central.core, target.id)?.quantity).toBe(5555);
  });
});

describe('a change whose answer was lost', () => {
  it('is never folded into a later edit here: a line added, its answer lost, then deleted here, is deleted on the central too', async () => {
    central = await centralWithSites();
    const { remote: waikato, loseNextPush } = await waikatoLosingAnswers();
    await syncOk(waikato);
    const admin = await adminOf(waikato);
    const added = waikato.stock.saveLine(admin, {
      storeId: storeIdByCode(waikato, 'Waikato'),
      lineId: null,
      itemCode: 'LOST',
      itemName: 'Answer lost',
      quantity: 1,
    });
    loseNextPush();
    expect((await waikato.syncRunner.syncNow()).lastError).toMatch(/Unable to connect/);
    await central.running.server.centralStoreSync.idle();
    expect(line(central.core, added.lineId)).toBeDefined();
    waikato.stock.deleteLine(admin, { lineId: added.lineId });
    await syncOk(waikato);
    expect(line(central.core, added.lineId)).toBeUndefined();
    expect(linesOf(waikato, 'Waikato')).toEqual(linesOf(central.core, 'Waikato'));
  });
});

describe('changes of one line sent together (found by the SIGKILL fault test)', () => {
  it('are judged in the order they were made: a change made from the one before it is taken', async () => {
    central = await centralWithSites();
    const { remote: waikato, loseNextPush } = await waikatoLosingAnswers();
    await syncOk(waikato);
    const admin = await adminOf(waikato);
    const target = linesOf(waikato, 'Waikato')[0]!;
    const edit = { storeId: target.storeId, lineId: target.id, itemCode: target.itemCode, itemName: target.itemName };
    waikato.stock.saveLine(admin, { ...edit, quantity: 71 });
    loseNextPush(); // the answer is lost: the first change stays, sent once
    expect((await waikato.syncRunner.syncNow()).lastError).toMatch(/Unable to connect/);
    waikato.stock.saveLine(admin, { ...edit, quantity: 72 });
    await syncOk(waikato);
    expect(waikato.refusedChanges.list().rows).toEqual([]);
    expect(line(central.core, target.id)?.quantity).toBe(72);
    expect(linesOf(waikato, 'Waikato')).toEqual(linesOf(central.core, 'Waikato'));
  });

  it('a version made elsewhere with the same number is still a conflict', async () => {
    central = await centralWithSites();
    const waikato = await remoteFor('Waikato');
    await syncOk(waikato);
    const target = linesOf(waikato, 'Waikato')[0]!;
    const edit = { storeId: target.storeId, lineId: target.id, itemCode: target.itemCode, itemName: target.itemName };
    // Both make version 2 of the line: the central's correction, and Waikato's edit; then Waikato edits its own version 2.
    central.core.stock.saveLine(await adminOf(central.core), { ...edit, quantity: 81 });
    const admin = await adminOf(waikato);
    waikato.stock.saveLine(admin, { ...edit, quantity: 82 });
    waikato.datafile.sqlite.prepare('update remote_out set sent_at = ?').run(new Date().toISOString());
    waikato.stock.saveLine(admin, { ...edit, quantity: 83 });
    await syncOk(waikato);
    expect(line(central.core, target.id)?.quantity).toBe(81);
    expect(waikato.refusedChanges.list().rows).toHaveLength(2);
    expect(linesOf(waikato, 'Waikato')).toEqual(linesOf(central.core, 'Waikato'));
  });
});

describe('5. discarding a refused change leaves it applied at the site', () => {
  it('does not: a refused change is never applied at the site, and discarding leaves the central value', async () => {
    central = await centralWithSites();
    const waikato = await remoteFor('Waikato');
    await syncOk(waikato);
    const target = linesOf(waikato, 'Waikato')[0]!;
    const edit = { storeId: target.storeId, lineId: target.id, itemCode: target.itemCode, itemName: target.itemName };
    central.core.stock.saveLine(await adminOf(central.core), { ...edit, quantity: 321 });
    waikato.stock.saveLine(await adminOf(waikato), { ...edit, quantity: 7 });
    await syncOk(waikato);
    expect(line(waikato, target.id)).toEqual(line(central.core, target.id));
    expect(line(waikato, target.id)?.quantity).toBe(321);
    const { rows } = waikato.refusedChanges.list();
    waikato.refusedChanges.discard(
      await adminOf(waikato),
      rows.map((r) => r.id),
    );
    await syncOk(waikato);
    expect(line(waikato, target.id)?.quantity).toBe(321);
    expect(linesOf(waikato, 'Waikato')).toEqual(linesOf(central.core, 'Waikato'));
  });

  it('does not when the store returns: the refused change stays refused, the site shows the central copy', async () => {
    central = await centralWithSites();
    const waikato = await remoteFor('Waikato');
    await syncOk(waikato);
    const target = linesOf(waikato, 'TAU_DH')[0]!;
    waikato.stock.saveLine(await adminOf(waikato), {
      storeId: target.storeId,
      lineId: target.id,
      itemCode: target.itemCode,
      itemName: target.itemName,
      quantity: 55,
    });
    await moveStore('TAU_DH', 1);
    await syncOk(waikato);
    expect(waikato.refusedChanges.list().rows).toHaveLength(1);
    expect(linesOf(waikato, 'TAU_DH')).toEqual([]);
    await moveStore('TAU_DH', WAIKATO);
    await syncOk(waikato);
    expect(line(waikato, target.id)?.quantity).toBe(target.quantity);
    expect(linesOf(waikato, 'TAU_DH')).toEqual(linesOf(central.core, 'TAU_DH'));
    waikato.refusedChanges.discard(
      await adminOf(waikato),
      waikato.refusedChanges.list().rows.map((r) => r.id),
    );
    await syncOk(waikato);
    expect(linesOf(waikato, 'TAU_DH')).toEqual(linesOf(central.core, 'TAU_DH'));
  });
});

describe('6. queued data stays queued for a site that no longer has the store', () => {
  it('does not: a move cancels what was queued for the old site', async () => {
    central = await centralWithSites();
    const kopu = await remoteFor('Kopu HC');
    await syncOk(kopu);
    await moveStore('Opua', KOPU);
    const queuedForKopu = () =>
      central.core.datafile.sqlite
        .prepare('select count(*) from sync_out where site_id = ? and store_id = ?')
        .pluck()
        .get(KOPU, storeIdByCode(central.core, 'Opua'));
    expect(queuedForKopu()).toBe(1);
    await moveStore('Opua', 1);
    expect(queuedForKopu()).toBe(0);
    await syncOk(kopu);
    expect(linesOf(kopu, 'Opua')).toEqual([]);
  });
});

/** A consistent copy of a remote's datafile, as a backup tool would make it. */
async function backup(core: Core): Promise<string> {
  const file = path.join(tempDir('backup-'), 'backup.sqlite');
  await core.datafile.sqlite.backup(file);
  return file;
}

async function reopen(file: string, hardwareId: string): Promise<Core> {
  const core = await openCore(file, { hasher: fastHasher, remote: { ...fastRemote, hardwareId } });
  remotes.push(core);
  return core;
}

describe('7. a restored backup loses edits, and a copy of a remote datafile collides', () => {
  it('a restored backup is refused with the cause named, and Re-initialise recovers it with nothing lost', async () => {
    central = await centralWithSites();
    const waikato = await remoteFor('Waikato');
    await syncOk(waikato);
    const saved = await backup(waikato);
    const admin = await adminOf(waikato);
    const store = storeIdByCode(waikato, 'Waikato');
    for (let i = 0; i < 3; i += 1)
      waikato.stock.saveLine(admin, { storeId: store, lineId: null, itemCode: `A${i}`, itemName: `After backup ${i}`, quantity: i });
    await syncOk(waikato);
    const file = waikato.datafile.path;
    waikato.close();
    fs.copyFileSync(saved, file);
    for (const suffix of ['-wal', '-shm']) fs.rmSync(`${file}${suffix}`, { force: true });

    const restored = await reopen(file, 'waikato-device');
    const restoredAdmin = await adminOf(restored);
    for (let i = 0; i < 3; i += 1)
      restored.stock.saveLine(restoredAdmin, { storeId: store, lineId: null, itemCode: `R${i}`, itemName: `After restore ${i}`, quantity: i });
    const refused = await restored.syncRunner.syncNow();
    expect(refused.lastError).toMatch(/restored backup, or a copy/);
    expect(refused.waitingOut).toBe(3);

    const again = await restored.syncRunner.reinitialise(restoredAdmin, { confirmed: true });
    expect(again).toMatchObject({ status: 'done', sync: { lastError: null, waitingOut: 0 } });
    const names = linesOf(central.core, 'Waikato').map((l) => l.itemName);
    expect(names).toEqual(
      expect.arrayContaining(['After backup 0', 'After backup 1', 'After backup 2', 'After restore 0', 'After restore 1', 'After restore 2']),
    );
    expect(linesOf(restored, 'Waikato')).toEqual(linesOf(central.core, 'Waikato'));
  });

  it('a copy of a remote datafile syncing as the same site is refused, not dropped silently', async () => {
    central = await centralWithSites();
    const original = await remoteFor('Waikato');
    await syncOk(original);
    const copy = await reopen(await backup(original), 'waikato-device');
    const store = storeIdByCode(original, 'Waikato');
    original.stock.saveLine(await adminOf(original), { storeId: store, lineId: null, itemCode: 'O1', itemName: 'Made in the original', quantity: 1 });
    await syncOk(original);
    copy.stock.saveLine(await adminOf(copy), { storeId: store, lineId: null, itemCode: 'C1', itemName: 'Made in the copy', quantity: 1 });
    const status = await copy.syncRunner.syncNow();
    expect(status.lastError).toMatch(/restored backup, or a copy/);
    expect(status.waitingOut).toBe(1);
    // The copy's change is kept; Re-initialise (or Reset hardware ID on the central, then Re-initialise) takes it.
    await copy.syncRunner.reinitialise(await adminOf(copy), { confirmed: true });
    expect(linesOf(central.core, 'Waikato').map((l) => l.itemName)).toEqual(expect.arrayContaining(['Made in the original', 'Made in the copy']));
  });
});

describe('8. the central accepts pushed data its own Stock page refuses, and initialise at any time', () => {
  const call = asWaikato;

  it('refuses a bad line in words, by the Stock page rules', async () => {
    central = await centralWithSites();
    const store = storeIdByCode(central.core, 'Waikato');
    const record = (id: string, data: Record<string, unknown>) => ({
      syncOutId: Number(id.slice(-1)),
      tableName: 'store_record',
      recordId: `00000000-0000-4000-8000-00000000000${id.slice(-1)}`,
      action: 'insert',
      baseVersion: null,
      recordData: {
        id: `00000000-0000-4000-8000-00000000000${id.slice(-1)}`,
        storeId: store,
        itemCode: 'X',
        itemName: 'X',
        quantity: 1,
        updatedAt: 'now',
        version: 1,
        ...data,
      },
    });
    const answer = await call('/sync/v5/queued_records', { queueLength: 0, data: [record('r1', { quantity: -5 }), record('r2', { itemCode: '' })] });
    expect(answer.status).toBe(200);
    expect(answer.json.refused).toEqual([
      expect.objectContaining({ syncOutId: 1, code: 'invalid_record', message: expect.stringContaining('Quantity cannot be negative') }),
      expect.objectContaining({ syncOutId: 2, code: 'invalid_record', message: expect.stringContaining('Item code is required') }),
    ]);
    await central.running.server.centralStoreSync.idle();
    expect(central.core.datafile.sqlite.prepare("select count(*) from store_record where item_code in ('X', '')").pluck().get()).toBe(0);
  });

  it('refuses a second initialise of an initialised site unless Re-initialise was asked for, and a body it cannot read', async () => {
    central = await centralWithSites({ runLeaseMs: 100 });
    const waikato = await remoteFor('Waikato');
    await syncOk(waikato);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const before = central.core.datafile.sqlite.prepare('select count(*) from sync_out where site_id = ?').pluck().get(WAIKATO);
    const again = await call('/sync/v5/initialise', {});
    expect(again.status).toBe(409);
    expect(again.json.error).toMatchObject({ code: 'site_already_initialised', message: expect.stringContaining('Re-initialise') });
    await new Promise((resolve) => setTimeout(resolve, 150));
    const junk = await call('/sync/v5/initialise', { rebuild: 'everything' });
    expect(junk.status).toBe(400);
    expect(central.core.datafile.sqlite.prepare('select count(*) from sync_out where site_id = ?').pluck().get(WAIKATO)).toBe(before);
  });
});

describe('Re-initialise', () => {
  it('on a healthy remote fetches everything again and ends identical to the central', async () => {
    central = await centralWithSites();
    const waikato = await remoteFor('Waikato');
    await syncOk(waikato);
    const result = await waikato.syncRunner.reinitialise(await adminOf(waikato), { confirmed: true });
    expect(result).toMatchObject({ status: 'done', sync: { lastError: null, initialised: true } });
    expect(linesOf(waikato, 'Waikato')).toEqual(linesOf(central.core, 'Waikato'));
  });
});

describe('a store that moves while a site syncs (found reading the SIGKILL fault test)', () => {
  /** Waikato's remote that runs a hook, once armed, just before (or just after) its next pull of queued records. */
  async function remoteWithHook() {
    let hook: { when: 'before' | 'after'; run: () => Promise<void> } | null = null;
    const inner = new NodeHttpClient();
    const take = (when: 'before' | 'after', request: { method: string; url: string }) => {
      if (hook?.when !== when || request.method !== 'GET' || !request.url.includes('/queued_records')) return null;
      const armed = hook;
      hook = null;
      return armed.run;
    };
    const client: SyncHttpClient = {
      name: 'hooked',
      async request(request) {
        await take('before', request)?.();
        const response = await inner.request(request);
        await take('after', request)?.();
        return response;
      },
    };
    const remote = await remoteFor('Waikato', { nodeClient: client });
    return { remote, arm: (when: 'before' | 'after', run: () => Promise<void>) => (hook = { when, run }) };
  }

  it('arrives whole when it leaves and comes back after the site read the stores and before it pulled their data', async () => {
    central = await centralWithSites();
    const { remote: waikato, arm } = await remoteWithHook();
    await syncOk(waikato);
    arm('before', async () => {
      await moveStore('TAU_DH', 1);
      await moveStore('TAU_DH', WAIKATO);
    });
    await syncOk(waikato);
    await syncOk(waikato);
    expect(linesOf(waikato, 'TAU_DH')).toEqual(linesOf(central.core, 'TAU_DH'));
    expect(linesOf(waikato, 'TAU_DH').length).toBeGreaterThan(0);
  });

  it('leaves nothing behind when it arrives before the pull and leaves again while the site applies its data', async () => {
    central = await centralWithSites();
    await moveStore('TAU_DH', 1);
    const { remote: waikato, arm } = await remoteWithHook();
    await syncOk(waikato);
    arm('before', () => moveStore('TAU_DH', WAIKATO));
    await syncOk(waikato);
    expect(linesOf(waikato, 'TAU_DH')).toEqual(linesOf(central.core, 'TAU_DH'));
    // Now it comes back once more, and leaves between the central's answer and the site applying it.
    await moveStore('TAU_DH', 1);
    await syncOk(waikato);
    expect(linesOf(waikato, 'TAU_DH')).toEqual([]);
    arm('after', () => moveStore('TAU_DH', 1));
    await moveStore('TAU_DH', WAIKATO);
    await syncOk(waikato);
    await syncOk(waikato);
    expect(waikato.stock.listStores().map((s) => s.code)).toEqual(['Waikato']);
    expect(linesOf(waikato, 'TAU_DH')).toEqual([]);
  });
});

describe('a change sent again while its store is away (found by the convergence test, seed 2806790147)', () => {
  it('does not re-create a line the central deleted after it was sent again', async () => {
    central = await centralWithSites();
    const waikato = await remoteFor('Waikato');
    await syncOk(waikato);
    const target = linesOf(waikato, 'TAU_DH')[0]!;
    const edit = { storeId: target.storeId, lineId: target.id, itemCode: target.itemCode, itemName: target.itemName };
    waikato.stock.saveLine(await adminOf(waikato), { ...edit, quantity: 55 });
    await moveStore('TAU_DH', 1);
    await syncOk(waikato);
    // Refused, the store gone with its lines: the administrator sends it again all the same.
    const refused = waikato.refusedChanges.list().rows;
    expect(refused).toHaveLength(1);
    expect(line(waikato, target.id)).toBeUndefined();
    waikato.refusedChanges.retry(
      await adminOf(waikato),
      refused.map((r) => r.id),
    );
    // Then the store comes back, and the central deletes the line before the site syncs.
    await moveStore('TAU_DH', WAIKATO);
    central.core.stock.deleteLine(await adminOf(central.core), { lineId: target.id });
    await syncOk(waikato);
    await syncOk(waikato);
    // The change was made from a line that no longer exists: listed again, never a new line over the delete.
    expect(line(central.core, target.id)).toBeUndefined();
    expect(line(waikato, target.id)).toBeUndefined();
    expect(waikato.refusedChanges.list().rows).toEqual([
      expect.objectContaining({ recordId: target.id, refusedMessage: expect.stringContaining('was deleted since this change was made') }),
    ]);
    expect(linesOf(waikato, 'TAU_DH')).toEqual(linesOf(central.core, 'TAU_DH'));
  });

  it('still re-creates a line the central deleted when the site saw the delete and sends its change again', async () => {
    central = await centralWithSites();
    const waikato = await remoteFor('Waikato');
    await syncOk(waikato);
    const target = linesOf(waikato, 'Waikato')[0]!;
    const edit = { storeId: target.storeId, lineId: target.id, itemCode: target.itemCode, itemName: target.itemName };
    waikato.stock.saveLine(await adminOf(waikato), { ...edit, quantity: 55 });
    central.core.stock.deleteLine(await adminOf(central.core), { lineId: target.id });
    await syncOk(waikato);
    expect(line(waikato, target.id)).toBeUndefined();
    waikato.refusedChanges.retry(
      await adminOf(waikato),
      waikato.refusedChanges.list().rows.map((r) => r.id),
    );
    await syncOk(waikato);
    expect(line(central.core, target.id)?.quantity).toBe(55);
    expect(linesOf(waikato, 'Waikato')).toEqual(linesOf(central.core, 'Waikato'));
  });
});

describe('a first sync cut short (found reading the SIGKILL fault test)', () => {
  /**
   * Waikato's datafile whose first sync stopped after it took the first few of the central's sites
   * and stores, before it knew which site it is: it still acts as its own central server site, which
   * the central's data now calls Tamaki. Its edits of Tamaki's stock went nowhere and stayed there
   * (lines of stores not on the site, as the fault test found them).
   */
  async function waikatoCutShort(): Promise<Core> {
    // Cut at the first call for more sites and stores once some stores have arrived.
    const made: { core?: Core } = {};
    let answerLost = false;
    const storesHere = () => (made.core?.datafile.sqlite.prepare('select count(*) from store').pluck().get() as number | undefined) ?? 0;
    const waikato = await remoteFor('Waikato', {
      retry: { ...fastRemote.retry, attempts: 1 },
      syncRunner: { ...fastRemote.syncRunner, pullBatch: 4 },
      nodeClient: lossyClient((method, url) => {
        const lose = !answerLost && url.includes('/central_records') && storesHere() > 0;
        answerLost ||= lose;
        return lose;
      }),
    });
    made.core = waikato;
    const cut = await waikato.syncRunner.syncNow();
    expect(cut.lastError).not.toBeNull();
    expect(waikato.datafile.sqlite.prepare('select count(*) from store').pluck().get()).toBeGreaterThan(0);
    return waikato;
  }

  it('edits no stock and no sites until it is the remote site, and says so', async () => {
    central = await centralWithSites();
    const waikato = await waikatoCutShort();
    const admin = await adminOf(waikato);
    const tamaki = storeIdByCode(central.core, 'Tamaki');

    expect(waikato.stock.listStores()).toEqual([]);
    expect(() => waikato.stock.saveLine(admin, { storeId: tamaki, lineId: null, itemCode: 'X-1', itemName: 'Entered mid-way', quantity: 1 })).toThrow(
      expect.objectContaining({ error: expect.objectContaining({ code: 'first_sync_not_finished' }) }),
    );
    await expect(waikato.sites.saveSite(admin, { ...unchangedDraft(waikato, 1), code: 'T1' })).rejects.toMatchObject({
      error: { code: 'sites_edited_on_central' },
      message: expect.stringContaining('becoming the remote site "Waikato"'),
    });
    const handlers = createHandlers(waikato);
    const who = await dispatch(handlers, { userId: admin.userId }, 'whoAmI', {});
    expect(who).toMatchObject({ ok: true, value: { datafile: { isRemoteSite: true, isCentralServer: false } } });
    expect(waikato.syncRunner.status()).toMatchObject({ isCentralServer: false, initialised: false });

    // The next sync finishes the first: Waikato's stores and their data, editable as usual.
    await syncOk(waikato);
    expect(
      waikato.stock
        .listStores()
        .map((s) => s.code)
        .sort(),
    ).toEqual(['TAU_DH', 'Waikato']);
    expect(waikato.datafile.sqlite.prepare('select count(*) from store_record where store_id = ?').pluck().get(tamaki)).toBe(0);
    expect(linesOf(waikato, 'Waikato')).toEqual(linesOf(central.core, 'Waikato'));
  });

  it('is finished by Re-initialise as by Sync now', async () => {
    central = await centralWithSites();
    const waikato = await waikatoCutShort();
    const result = await waikato.syncRunner.reinitialise(await adminOf(waikato), { confirmed: true });
    expect(result).toMatchObject({ status: 'done', sync: { lastError: null, initialised: true, isCentralServer: false } });
    expect(waikato.sites.activeSiteId()).toBe(WAIKATO);
    expect(linesOf(waikato, 'TAU_DH')).toEqual(linesOf(central.core, 'TAU_DH'));
  });

  it('is served by npm run server so that a browser can finish it, and refuses remote sites meanwhile', async () => {
    central = await centralWithSites();
    const waikato = await waikatoCutShort();
    const file = waikato.datafile.path;
    waikato.close();
    const served = await startServer({ datafile: file, port: 0, hasher: fastHasher, signInLimits: noLimits });
    try {
      // The central's own site, as this datafile holds it so far: it is no central server.
      const call = await syncCall(served.url, '/sync/v5/site', { siteName: 'Kopu HC', password: KOPU_PASSWORD, hardwareId: 'kopu-device' });
      expect(call.json).toMatchObject({ error: { code: 'not_central_server' } });
      expect(served.core.syncRunner.status()).toMatchObject({ configured: true, isCentralServer: false, initialised: false });
      // Sync now, as the browser's button calls it, finishes the first sync. (The server process
      // signs in with this machine's hardware ID, not the made-up one the test's remote used.)
      central.core.sites.resetHardwareId(await adminOf(central.core), { siteId: WAIKATO, confirmed: true });
      expect(await served.core.syncRunner.syncNow()).toMatchObject({ lastError: null, initialised: true });
      expect(served.core.sites.activeSiteId()).toBe(WAIKATO);
    } finally {
      await served.stop();
    }
  });
});
