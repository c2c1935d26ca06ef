/**
 * At-least-once delivery made exact: lost answers, re-sent batches and concurrent runs of one site.
 */
import type { Core } from '../../main/core';
import { sha256Hex } from '../../main/services/passwords';
import { adminOf, storeIdByCode, viewerOf } from '../helpers/core';
import { type Central, WAIKATO, syncCall } from './helpers';
import { WAIKATO_PASSWORD, centralWithSites, lossyClient, remoteSite, stopCentral, storeData, storesOfSite, syncOk } from './store-sync-helpers';

let central: Central;
const remotes: Core[] = [];
afterEach(async () => {
  for (const remote of remotes.splice(0)) remote.close();
  if (central) await stopCentral(central);
});

const asWaikato = (run: string, method = 'GET', body?: unknown) => ({
  siteName: 'Waikato',
  passwordSha256: sha256Hex(WAIKATO_PASSWORD),
  hardwareId: 'waikato-device',
  method,
  body: body === undefined ? undefined : JSON.stringify(body),
  headers: { 'msupply-sync-run': run, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
});

describe('the per-site run lease', () => {
  it('refuses a second concurrent run of a site with 503 sync_is_running until the first one ends', async () => {
    central = await centralWithSites();
    const first = await syncCall(central.url, '/sync/v5/central_records?cursor=0&limit=5', asWaikato('datafile-a/run-1'));
    expect(first.status).toBe(200);
    expect(first.json.data).toHaveLength(5);
    expect(first.json.maxCursor).toBeGreaterThan(5);

    const second = await syncCall(central.url, '/sync/v5/queued_records?limit=5', asWaikato('datafile-b/run-1'));
    expect(second.status).toBe(503);
    expect(second.json.error).toEqual({
      code: 'sync_is_running',
      message: 'Another sync of this site is running. Wait for it to finish, then try again.',
      data: null,
    });
    expect((await syncCall(central.url, '/sync/v5/site_status', asWaikato('datafile-b/run-1'))).json.code).toBe('sync_is_running');
    expect((await syncCall(central.url, '/sync/v5/site_status', asWaikato('datafile-a/run-1'))).json.code).toBe('idle');

    // The same datafile starting a new run means its old run died: it takes the lease over at once.
    const restarted = await syncCall(central.url, '/sync/v5/queued_records?limit=5', asWaikato('datafile-a/run-2'));
    expect(restarted.status).toBe(200);
    expect(restarted.json.queueLength).toBe(0);
    // An empty queue ends the run: the other datafile may sync now.
    expect((await syncCall(central.url, '/sync/v5/queued_records?limit=5', asWaikato('datafile-b/run-1'))).status).toBe(200);
  });
});

describe('re-sent batches', () => {
  it('are not integrated twice: an old batch sent again after a newer change does not undo it', async () => {
    central = await centralWithSites();
    const store = storeIdByCode(central.core, 'Waikato');
    const line = (quantity: number) => ({
      id: 'resent-line-0000-0000-000000000001',
      storeId: store,
      itemCode: 'RESENT',
      itemName: 'Sent twice',
      quantity,
      updatedAt: '2026-01-01T00:00:00.000Z',
    });
    const record = (syncOutId: number, quantity: number) => ({
      syncOutId,
      tableName: 'store_record',
      recordId: line(quantity).id,
      action: 'update',
      recordData: line(quantity),
    });
    const push = (body: unknown) => syncCall(central.url, '/sync/v5/queued_records', asWaikato('datafile-a/run-1', 'POST', body));
    const quantity = () => central.core.datafile.sqlite.prepare('select quantity from store_record where id = ?').pluck().get(line(0).id);

    // Two batches of one push: nothing is integrated before the last one (queueLength 0).
    expect((await push({ queueLength: 1, data: [record(10, 5)] })).json).toEqual({ integrationStarted: false });
    expect(quantity()).toBeUndefined();
    expect((await push({ queueLength: 0, data: [record(11, 7)] })).json).toEqual({ integrationStarted: true });
    await central.running.server.centralStoreSync.idle();
    expect(quantity()).toBe(7);

    // The first batch again (its answer was lost, say): already integrated, so ignored.
    expect((await push({ queueLength: 0, data: [record(10, 5)] })).status).toBe(200);
    await central.running.server.centralStoreSync.idle();
    expect(quantity()).toBe(7);
    expect(central.core.datafile.sqlite.prepare('select count(*) from sync_in').pluck().get()).toBe(0);
  });

  it('a remote whose answers get lost still ends with exactly the same store data as the central', async () => {
    central = await centralWithSites();
    let calls = 0;
    // Every third answer is lost on the way back; the retry sends the same request again.
    const remote = await remoteSite(central.url, 'Waikato', WAIKATO_PASSWORD, 'waikato-device', {
      nodeClient: lossyClient((method, url) => !url.endsWith('/site_status') && ++calls % 3 === 0),
      retry: { attempts: 3, firstTimeoutMs: 5000, retryPauseMs: 1, busyRetries: 50, busyWaitMs: 20, maxBusyWaitMs: 50 },
      syncRunner: { statusPollMs: 5, pushBatch: 7, pullBatch: 5 },
    });
    remotes.push(remote);
    await syncOk(remote);
    const user = await viewerOf(remote);
    const stores = storesOfSite(central.core, WAIKATO);
    for (let i = 0; i < 40; i += 1) {
      remote.stock.saveLine(user, { storeId: stores[i % 2]!, lineId: null, itemCode: `L${i}`, itemName: `Line ${i}`, quantity: i });
    }
    const lines = remote.stock.listLines({ storeId: stores[0]! }).lines;
    remote.stock.deleteLine(user, { lineId: lines[0]!.lineId });
    // And changes from the central (an administrator's correction) going the other way.
    const admin = await adminOf(central.core);
    for (const l of central.core.stock.listLines({ storeId: stores[1]! }).lines.slice(0, 3)) {
      central.core.stock.saveLine(admin, { ...l, lineId: l.lineId, quantity: l.quantity + 1000 });
    }
    await syncOk(remote);
    expect(storeData(remote, stores)).toEqual(storeData(central.core, stores));
    expect(storeData(central.core, stores)).toHaveLength(8 + 40 - 1);
    expect(central.core.datafile.sqlite.prepare('select count(*) from sync_out where site_id = ?').pluck().get(WAIKATO)).toBe(0);
    expect(remote.syncRunner.status()).toMatchObject({ waitingOut: 0, refused: 0, lastError: null });
  });
});
