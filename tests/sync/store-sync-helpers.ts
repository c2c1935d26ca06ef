/** Central and remote datafiles syncing store data over real HTTP on 127.0.0.1. */
import { type SyncHttpClient, SyncTransportError } from '../../main/net/http-client';
import { NodeHttpClient } from '../../main/net/node-http-client';
import type { Core, RemoteOptions } from '../../main/core';
import { startServer, type RunningServer } from '../../main/hosts/server';
import { adminOf, storeIdByCode, unchangedDraft } from '../helpers/core';
import type { Actor } from '../../main/services/actor';
import { type Central, newRemote, noLimits, setSitePassword, startCentral } from './helpers';
import type { StoreRecordData } from '../../main/services/store-records';

export const WAIKATO_PASSWORD = 'waikato password';
export const KOPU_PASSWORD = 'kopu password';

export const fastRemote: RemoteOptions = {
  retry: { attempts: 2, firstTimeoutMs: 5000, retryPauseMs: 10, busyRetries: 20, busyWaitMs: 50, maxBusyWaitMs: 200 },
  syncRunner: { statusPollMs: 10, maxBusyWaitMs: 60_000 },
};

export async function centralWithSites(options: Parameters<typeof startCentral>[0] = {}): Promise<Central> {
  const central = await startCentral({ runLeaseMs: 5_000, ...options });
  await setSitePassword(central.core, 3, WAIKATO_PASSWORD);
  await setSitePassword(central.core, 5, KOPU_PASSWORD);
  return central;
}

/** A new remote datafile with sync enabled as `siteName`; not yet initialised. */
export async function remoteSite(centralUrl: string, siteName: string, password: string, hardwareId: string, options: RemoteOptions = {}) {
  const core = await newRemote({ ...fastRemote, hardwareId, ...options });
  const admin = await adminOf(core);
  await core.connection.enableSync(admin, { centralUrl, siteName, password });
  return core;
}

/** Restarts the central's HTTP side on the same port and datafile (the remote keeps its URL). */
export async function restartCentral(central: Central, port: number): Promise<RunningServer> {
  await central.running.stop();
  const running = await startServer({ core: central.core, port, signInLimits: noLimits, connectionRecordIntervalMs: 0, runLeaseMs: 5_000 });
  central.running = running;
  return running;
}

export type LineRow = StoreRecordData;

/** The store data of some stores, in a stable order, for comparing two datafiles. */
export function storeData(core: Core, storeIds: number[]): LineRow[] {
  return core.datafile.sqlite
    .prepare(
      `select id, store_id as storeId, item_code as itemCode, item_name as itemName, quantity, updated_at as updatedAt, version
       from store_record where store_id in (select value from json_each(?)) order by id`,
    )
    .all(JSON.stringify(storeIds)) as LineRow[];
}

export function storesOfSite(core: Core, siteId: number): number[] {
  return core.datafile.sqlite.prepare('select id from store where site_id = ? order by id').pluck().all(siteId) as number[];
}

export async function syncOk(core: Core) {
  const status = await core.syncRunner.syncNow();
  if (status.lastError) throw new Error(`sync failed: ${status.lastError}`);
  return status;
}

/** Stops whichever HTTP server the central runs now (it may have been restarted) and closes its datafile. */
export async function stopCentral(central: Central): Promise<void> {
  await central.running.stop();
  if (central.core.datafile.sqlite.open) central.core.close();
}

/**
 * Node's client, except that the answers of chosen calls are lost after the central handled them:
 * the caller sees "unable to connect" although the request did its work (a connection dropped on
 * the way back). `lose(route)` decides per call.
 */
export function lossyClient(lose: (method: string, url: string) => boolean): SyncHttpClient {
  const inner = new NodeHttpClient();
  return {
    name: 'lossy',
    async request(request) {
      const response = await inner.request(request);
      if (lose(request.method, request.url)) throw new SyncTransportError('unable_to_connect', 'answer lost (test)');
      return response;
    },
  };
}

/**
 * An administrator on the central moves a store to a site; to the central server site (1), it is
 * removed from the site it is on. Confirms moving a store from a site in active use.
 */
export async function moveStore(core: Core, code: string, toSiteId: number, actor?: Actor): Promise<void> {
  const storeId = storeIdByCode(core, code);
  const from = core.datafile.sqlite.prepare('select site_id from store where id = ?').pluck().get(storeId) as number;
  const draft =
    toSiteId === 1 ? { ...unchangedDraft(core, from), removeStoreIds: [storeId] } : { ...unchangedDraft(core, toSiteId), addStoreIds: [storeId] };
  const result = await core.sites.saveSite(actor ?? (await adminOf(core)), { ...draft, confirmations: ['move_store_from_active_site'] });
  if (result.status !== 'saved') throw new Error(`move of ${code} not saved: ${JSON.stringify(result)}`);
}
