/**
 * The ownership model under random load: a central and two remote sites (Waikato, Kopu HC) over
 * real HTTP, for many rounds. Each round, chosen by one seed: offline edits, additions and deletes
 * at the sites, corrections on the central, stores moved among the two remotes and the central
 * site (also while a site syncs, before a random call of its run), refused changes sent again or discarded, and syncs cut at a random call (the request never
 * arrives, or its answer is lost after the central did the work), remotes closed and reopened
 * mid-way, the central's HTTP side restarted. (Real SIGKILLs of separate processes are in
 * sync-faults.test.ts; here the cuts land on every call of every step.)
 *
 * After each round every site syncs cleanly, and the invariants hold:
 * - each line on the central equals the owning site's copy, version included;
 * - a site holds no line the central lacks, and no line of a store that is not on it;
 * - nothing is duplicated in a site's outgoing queue;
 * - every edit made anywhere reached the central, was overwritten by a later edit that knew of it,
 *   or is listed for review at the site (or an administrator discarded it there).
 *
 * CONVERGENCE_ROUNDS sets the number of rounds (default 100); TEST_SEED replays a failure.
 */
import { openCore, type Core } from '../../main/core';
import { type SyncHttpClient, SyncTransportError } from '../../main/net/http-client';
import { NodeHttpClient } from '../../main/net/node-http-client';
import { systemActor } from '../../main/services/actor';
import { fastHasher, storeIdByCode } from '../helpers/core';
import { type SeededRandom, withSeed } from '../helpers/seeded-random';
import { type Central, KOPU, WAIKATO } from './helpers';
import {
  KOPU_PASSWORD,
  WAIKATO_PASSWORD,
  centralWithSites,
  fastRemote,
  moveStore,
  remoteSite,
  restartCentral,
  stopCentral,
} from './store-sync-helpers';

const ROUNDS = Number(process.env.CONVERGENCE_ROUNDS ?? 100);
const MOVABLE = ['Waikato', 'TAU_DH', 'Kopu', 'Opua', 'KamoRW'];
const CENTRAL_SITE = 1;

/** A connection that goes down at a chosen call of a run: before the request leaves, or after the central answered. */
class FaultyClient implements SyncHttpClient {
  readonly name = 'faulty';
  private readonly inner = new NodeHttpClient();
  private callsLeft: number | null = null;
  private loseAnswer = false;
  private meanwhile: { callsLeft: number; work: () => Promise<void> } | null = null;

  /** The next run's `n`th call fails (and every call after it until healed). */
  cutAt(n: number, loseAnswer: boolean): void {
    this.callsLeft = n;
    this.loseAnswer = loseAnswer;
  }

  heal(): void {
    this.callsLeft = null;
    this.meanwhile = null;
  }

  /** Before the next run's `n`th call, `work` happens on the central (a store moves while the site syncs). */
  beforeCall(n: number, work: () => Promise<void>): void {
    this.meanwhile = { callsLeft: n, work };
  }

  async request(request: Parameters<SyncHttpClient['request']>[0]) {
    if (this.meanwhile && this.meanwhile.callsLeft-- <= 0) {
      const { work } = this.meanwhile;
      this.meanwhile = null;
      await work();
    }
    if (this.callsLeft !== null) {
      if (this.callsLeft <= 0) {
        if (this.loseAnswer) await this.inner.request(request).catch(() => undefined);
        throw new SyncTransportError('unable_to_connect', 'cut (test)');
      }
      this.callsLeft -= 1;
    }
    return this.inner.request(request);
  }
}

interface Site {
  name: 'Waikato' | 'Kopu HC';
  siteId: number;
  password: string;
  hardwareId: string;
  client: FaultyClient;
  core: Core;
  file: string;
}

/** One edit made somewhere: the quantity is unique, so the edit can be recognised wherever it ends. */
interface Edit {
  at: string;
  lineId: string;
  quantity: number | null; // null: a delete
  round: number;
  /** An administrator sent a refused change again, after reading why it was refused: it knows of what came before. */
  override?: boolean;
}

describe('store data converges under random edits, moves, refusals and cut syncs', () => {
  let central: Central;
  const sites: Site[] = [];
  afterAll(async () => {
    for (const site of sites) if (site.core.datafile.sqlite.open) site.core.close();
    if (central) await stopCentral(central);
  });

  it(
    `holds every invariant after each of ${ROUNDS} rounds`,
    () =>
      withSeed(async (random) => {
        central = await centralWithSites({ runLeaseMs: 200, integrateChunk: 7 });
        const port = central.running.port;
        // Every state a central line ever had: what reached the central, whatever overwrote it later.
        central.core.datafile.sqlite.exec(`
        create temp table reached (id text, quantity real);
        create temp trigger reached_insert after insert on store_record begin insert into reached values (new.id, new.quantity); end;
        create temp trigger reached_update after update on store_record begin insert into reached values (new.id, new.quantity); end;
      `);
        for (const [name, siteId, password] of [
          ['Waikato', WAIKATO, WAIKATO_PASSWORD],
          ['Kopu HC', KOPU, KOPU_PASSWORD],
        ] as const) {
          const client = new FaultyClient();
          const hardwareId = `${name.replace(/\W/g, '').toLowerCase()}-device`;
          const core = await remoteSite(central.url, name, password, hardwareId, {
            nodeClient: client,
            retry: { attempts: 1, firstTimeoutMs: 5000, retryPauseMs: 1, busyRetries: 30, busyWaitMs: 20, maxBusyWaitMs: 100 },
            syncRunner: { statusPollMs: 5, maxBusyWaitMs: 30_000, pushBatch: 3, pullBatch: 4 },
          });
          sites.push({ name, siteId, password, hardwareId, client, core, file: core.datafile.path });
        }
        for (const site of sites) await syncClean(site);

        const edits: Edit[] = [];
        const discarded = new Set<string>();
        let nextQuantity = 100_000;

        for (let round = 0; round < ROUNDS; round += 1) {
          const where = `round ${round}`;
          // Work at the sites, online or offline.
          for (const site of sites) {
            for (let i = random.below(4); i > 0; i -= 1) editAtSite(site, random, edits, round, () => (nextQuantity += 1));
            await reviewRefused(site, random, discarded, edits, round);
          }
          // Corrections on the central, of any store's lines.
          for (let i = random.below(3); i > 0; i -= 1) await correctOnCentral(central.core, random, edits, round, () => (nextQuantity += 1));
          // Stores move.
          if (random.next() < 0.4) await moveRandomStore(central.core, random);
          // Syncs, some cut short at a random call.
          for (const site of sites) {
            if (random.next() < 0.6) {
              if (random.next() < 0.5) site.client.cutAt(random.below(12), random.next() < 0.5);
              if (random.next() < 0.3) {
                // One move, or a store that leaves and comes back: either may land between two calls of the run.
                const andBack = random.next() < 0.5;
                site.client.beforeCall(random.below(12), async () => {
                  const moved = await moveRandomStore(central.core, random);
                  if (moved && andBack) await moveStore(central.core, moved.code, moved.from, systemActor);
                });
              }
              await site.core.syncRunner.syncNow();
              site.client.heal();
            }
            if (random.next() < 0.05) await reopen(site);
          }
          if (random.next() < 0.05) {
            await central.running.server.centralStoreSync.idle();
            await restartCentral(central, port);
            central.url = central.running.url;
          }

          // Settle, then check.
          await central.running.server.centralStoreSync.idle();
          for (const site of sites) await syncClean(site);
          await central.running.server.centralStoreSync.idle();
          for (const site of sites) await syncClean(site);
          checkInvariants(central.core, sites, edits, discarded, where);
        }
      }),
    600_000,
  );

  async function syncClean(site: Site): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 0));
    let status = await site.core.syncRunner.syncNow();
    // A run left over from a cut holds the site's lease for a moment; try again once it lapses.
    for (let i = 0; i < 20 && status.lastError; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 60));
      status = await site.core.syncRunner.syncNow();
    }
    if (status.lastError) throw new Error(`${site.name} could not sync cleanly: ${status.lastError}`);
  }

  async function reopen(site: Site): Promise<void> {
    site.core.close();
    site.core = await openCore(site.file, {
      hasher: fastHasher,
      remote: {
        ...fastRemote,
        hardwareId: site.hardwareId,
        nodeClient: site.client,
        retry: { attempts: 1, firstTimeoutMs: 5000, retryPauseMs: 1, busyRetries: 30, busyWaitMs: 20, maxBusyWaitMs: 100 },
        syncRunner: { statusPollMs: 5, maxBusyWaitMs: 30_000, pushBatch: 3, pullBatch: 4 },
      },
    });
  }
});

function editAtSite(site: Site, random: SeededRandom, edits: Edit[], round: number, quantity: () => number): void {
  const stores = site.core.stock.listStores();
  if (stores.length === 0) return;
  const store = stores[random.below(stores.length)]!;
  const lines = site.core.stock.listLines({ storeId: store.storeId }).lines;
  const roll = random.next();
  const actor = systemActor;
  if (roll < 0.25 || lines.length === 0) {
    const q = quantity();
    const saved = site.core.stock.saveLine(actor, {
      storeId: store.storeId,
      lineId: null,
      itemCode: `N${q}`,
      itemName: `New at ${site.name}`,
      quantity: q,
    });
    edits.push({ at: site.name, lineId: saved.lineId, quantity: q, round });
    return;
  }
  const line = lines[random.below(lines.length)]!;
  if (roll < 0.85) {
    const q = quantity();
    site.core.stock.saveLine(actor, { storeId: store.storeId, lineId: line.lineId, itemCode: line.itemCode, itemName: line.itemName, quantity: q });
    edits.push({ at: site.name, lineId: line.lineId, quantity: q, round });
  } else {
    site.core.stock.deleteLine(actor, { lineId: line.lineId });
    edits.push({ at: site.name, lineId: line.lineId, quantity: null, round });
  }
}

async function reviewRefused(site: Site, random: SeededRandom, discarded: Set<string>, edits: Edit[], round: number): Promise<void> {
  const { rows } = site.core.refusedChanges.list();
  if (rows.length === 0 || random.next() < 0.5) return;
  const admin = systemActor;
  const chosen = rows.filter(() => random.next() < 0.5).map((r) => r.id);
  if (chosen.length === 0) return;
  if (random.next() < 0.5) {
    for (const id of chosen) {
      const [lineId, what] = refusedKey(site.core, id).split('/') as [string, string];
      edits.push({ at: site.name, lineId, quantity: what === 'delete' ? null : Number(what), round, override: true });
    }
    site.core.refusedChanges.retry(admin, chosen);
  } else {
    for (const row of rows.filter((r) => chosen.includes(r.id))) discarded.add(refusedKey(site.core, row.id));
    site.core.refusedChanges.discard(admin, chosen);
  }
}

/** What a refused row was: its line and quantity (or delete). */
function refusedKey(core: Core, id: number): string {
  const row = core.datafile.sqlite
    .prepare(`select record_id as recordId, action, json_extract(data, '$.quantity') as quantity from remote_out where id = ?`)
    .get(id) as { recordId: string; action: string; quantity: number | null };
  return `${row.recordId}/${row.action === 'delete' ? 'delete' : row.quantity}`;
}

async function correctOnCentral(core: Core, random: SeededRandom, edits: Edit[], round: number, quantity: () => number): Promise<void> {
  const admin = systemActor;
  const stores = MOVABLE.map((code) => storeIdByCode(core, code));
  const storeId = stores[random.below(stores.length)]!;
  const lines = core.stock.listLines({ storeId }).lines;
  if (lines.length === 0) return;
  const line = lines[random.below(lines.length)]!;
  if (random.next() < 0.85) {
    const q = quantity();
    core.stock.saveLine(admin, { storeId, lineId: line.lineId, itemCode: line.itemCode, itemName: line.itemName, quantity: q });
    edits.push({ at: 'central', lineId: line.lineId, quantity: q, round });
  } else {
    core.stock.deleteLine(admin, { lineId: line.lineId });
    edits.push({ at: 'central', lineId: line.lineId, quantity: null, round });
  }
}

const siteOfStore = (core: Core, code: string) =>
  core.datafile.sqlite.prepare('select site_id from store where code = ?').pluck().get(code) as number;

/** Moves a random store to another site, unless that would leave a remote site without a store; says what moved from where. */
async function moveRandomStore(core: Core, random: SeededRandom): Promise<{ code: string; from: number } | null> {
  const count = (siteId: number) => MOVABLE.filter((code) => siteOfStore(core, code) === siteId).length;
  const code = MOVABLE[random.below(MOVABLE.length)]!;
  const from = siteOfStore(core, code);
  // A remote site keeps at least one store: a site without a store cannot sync.
  if (from !== CENTRAL_SITE && count(from) <= 1) return null;
  const targets = [CENTRAL_SITE, WAIKATO, KOPU].filter((t) => t !== from);
  await moveStore(core, code, targets[random.below(targets.length)]!, systemActor);
  return { code, from };
}

function checkInvariants(centralCore: Core, sites: Site[], edits: Edit[], discarded: Set<string>, where: string): void {
  const lines = (core: Core, storeIds: number[]) =>
    core.datafile.sqlite
      .prepare(
        `select id, store_id as storeId, item_code as itemCode, item_name as itemName, quantity, version from store_record
         where store_id in (select value from json_each(?)) order by id`,
      )
      .all(JSON.stringify(storeIds));
  for (const site of sites) {
    const own = centralCore.datafile.sqlite.prepare('select id from store where site_id = ?').pluck().all(site.siteId) as number[];
    // Each line on the central equals the owning site's copy.
    expect({ where, site: site.name, lines: lines(site.core, own) }).toEqual({ where, site: site.name, lines: lines(centralCore, own) });
    // No line of a store that is not on the site.
    const elsewhere = site.core.datafile.sqlite
      .prepare('select count(*) from store_record where store_id not in (select value from json_each(?))')
      .pluck()
      .get(JSON.stringify(own));
    expect({ where, site: site.name, linesOfOtherStores: elsewhere }).toEqual({ where, site: site.name, linesOfOtherStores: 0 });
    // Nothing left unsent after a clean sync, nothing duplicated among refused changes.
    const queue = site.core.datafile.sqlite
      .prepare(
        `select (select count(*) from remote_out where refused_at is null) as unsent,
                (select count(*) from (select pushed_as from remote_out where pushed_as is not null group by pushed_as having count(*) > 1)) as doubled`,
      )
      .get();
    expect({ where, site: site.name, ...(queue as object) }).toEqual({ where, site: site.name, unsent: 0, doubled: 0 });
  }

  // Every edit reached the central, was overwritten by a later edit there that knew of it, or is listed for review (or was discarded).
  const reached = centralCore.datafile.sqlite.prepare('select 1 from reached where id = ? and quantity = ?').pluck();
  const exists = centralCore.datafile.sqlite.prepare('select 1 from store_record where id = ?').pluck();
  const listed = new Map(
    sites.map((site) => [
      site.name,
      new Set(
        (
          site.core.datafile.sqlite
            .prepare(
              `select record_id as recordId, action, json_extract(data, '$.quantity') as quantity from remote_out where refused_at is not null`,
            )
            .all() as { recordId: string; action: string; quantity: number | null }[]
        ).map((r) => `${r.recordId}/${r.action === 'delete' ? 'delete' : r.quantity}`),
      ),
    ]),
  );
  const laterAtSameSite = new Set<string>();
  const overriddenLater = new Set<string>();
  for (let i = edits.length - 1; i >= 0; i -= 1) {
    const edit = edits[i]!;
    const key = `${edit.lineId}/${edit.quantity === null ? 'delete' : edit.quantity}`;
    const siteKey = `${edit.at}/${edit.lineId}`;
    const ok =
      (edit.quantity === null ? !exists.get(edit.lineId) || overriddenLater.has(edit.lineId) : reached.get(edit.lineId, edit.quantity) === 1) ||
      discarded.has(key) ||
      listed.get(edit.at as Site['name'])?.has(key) ||
      // Changed again at the same site before it was sent: the later edit knew of it.
      laterAtSameSite.has(siteKey);
    if (!ok) throw new Error(`${where}: an edit was lost: ${JSON.stringify(edit)}`);
    laterAtSameSite.add(siteKey);
    if (edit.override) overriddenLater.add(edit.lineId);
  }
}
