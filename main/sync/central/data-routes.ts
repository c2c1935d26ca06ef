/**
 * The data routes of sync API v5 on the central: initialise, queued_records (GET and POST),
 * acknowledged_records and central_records. Each authenticates the site, then takes the site's run
 * lease (site-run-leases.ts): a second concurrent run of the same site, or a call while the central
 * is initialising or integrating for the site, answers 503 with the matching code.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Datafile } from '../../../db/datafile';
import { CentralStoreSync } from './store-sync';
import { type PushBody, streamAheadQuery, SyncApiError, syncHeaders, syncRoutes } from '../protocol';
import { type RunIdentity, runIdentity, SiteRunLeases } from './site-run-leases';

export interface DataRouteOptions {
  /** A run's lease lapses this long after its last call (a run whose process died). Default 30 s. */
  runLeaseMs?: number;
  integrateChunk?: number;
  /** Most records handed out or accepted in one call. */
  maxBatch?: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The central's store-data sync state (tests wait on `idle()`). */
    centralStoreSync: CentralStoreSync;
  }
}

const DEFAULT_BATCH = 1000;

const recordSchema = z.object({
  syncOutId: z.int().positive(),
  tableName: z.string().min(1).max(100),
  recordId: z.string().min(1).max(200),
  action: z.enum(['insert', 'update', 'delete', 'merge']),
  recordData: z.record(z.string(), z.unknown()).optional(),
  baseVersion: z.int().nonnegative().nullable().optional(),
  baseChangedBy: z.int().positive().nullable().optional(),
});

const initialiseSchema = z.strictObject({ reinitialise: z.boolean().optional() }).optional();

function bodyError(error: z.ZodError): SyncApiError {
  const first = error.issues[0];
  const where = first?.path.length ? `${first.path.join('.')}: ` : '';
  return new SyncApiError('bad_request', `The request body could not be read: ${where}${first?.message ?? 'invalid'}.`);
}

function parseLimit(raw: unknown, max: number): number {
  if (raw === undefined) return Math.min(DEFAULT_BATCH, max);
  const text = String(raw);
  if (!/^\d{1,7}$/.test(text) || Number(text) < 1) throw new SyncApiError('bad_request', 'limit must be a positive whole number.');
  return Math.min(Number(text), max);
}

/** `streamEntry` and `streamAfter` of a pull ahead (protocol.ts), both or neither. */
function parseStreamAhead(query: Record<string, unknown>): { entry: number; after: string } | null {
  const entry = query[streamAheadQuery.entry];
  const after = query[streamAheadQuery.after];
  if (entry === undefined && after === undefined) return null;
  const entryText = String(entry ?? '');
  if (!/^\d{1,15}$/.test(entryText) || Number(entryText) < 1 || typeof after !== 'string' || after.length < 1 || after.length > 200) {
    throw new SyncApiError('bad_request', `${streamAheadQuery.entry} must be a positive whole number and ${streamAheadQuery.after} a line ID.`);
  }
  return { entry: Number(entryText), after };
}

export function registerDataRoutes(server: FastifyInstance, datafile: Datafile, options: DataRouteOptions = {}): CentralStoreSync {
  const maxBatch = options.maxBatch ?? 10_000;
  const leases = new SiteRunLeases(options.runLeaseMs ?? 30_000);
  const sync = new CentralStoreSync(datafile, leases, {
    integrateChunk: options.integrateChunk,
    logError: (message, error) => server.log.error({ err: error }, message),
  });
  server.decorate('centralStoreSync', sync);
  server.addHook('onClose', async () => sync.close());

  const pushSchema = z.object({
    queueLength: z.int().nonnegative(),
    data: z.array(recordSchema).max(maxBatch),
  });
  const ackSchema = z.object({
    syncIDs: z.array(z.int().positive()).max(maxBatch),
    appliedUpTo: z
      .array(z.object({ syncOutId: z.int().positive(), recordId: z.string().min(1).max(200) }))
      .max(maxBatch)
      .optional(),
  });

  const who = (request: FastifyRequest): RunIdentity => runIdentity(request.headers[syncHeaders.syncRun], request.syncSite!.hardwareId);

  /** After authentication: the site's run lease, or 503 with why not. */
  const leaseSite = async (request: FastifyRequest) => {
    const refused = leases.acquire(request.syncSite!.id, who(request));
    if (refused && refused !== 'idle') {
      throw new SyncApiError(refused, undefined, null, { 'retry-after': '1' });
    }
  };
  const preHandler = [server.authenticateSite, leaseSite];

  const sendJson = (reply: FastifyReply, json: string) => reply.type('application/json; charset=utf-8').send(json);

  // site_status from the caller's point of view: its own run holding the lease is idle to it.
  server.get(syncRoutes.siteStatus, { preHandler: server.authenticateSite }, async (request) => {
    const code = leases.status(request.syncSite!.id, who(request));
    const messages = {
      idle: 'The central server is idle: nothing is running for this site.',
      sync_is_running: 'Another sync of this site is running.',
      integration_in_progress: 'The central server is integrating the records this site sent.',
      initialisation_in_progress: 'The central server is preparing the initial data of this site.',
    } as const;
    return { code, message: messages[code], data: null };
  });

  server.post(syncRoutes.initialise, { preHandler }, async (request, reply) => {
    const parsed = initialiseSchema.safeParse(request.body ?? undefined);
    if (!parsed.success) throw bodyError(parsed.error);
    const siteId = request.syncSite!.id;
    const answer = sync.initialise(siteId, { reinitialise: parsed.data?.reinitialise === true, instanceId: who(request).instance });
    // The site's first batch is read while the site waits for its status and fetches sites and stores.
    reply.raw.once('finish', () => sync.readAhead(siteId));
    return answer;
  });

  server.get(syncRoutes.queuedRecords, { preHandler }, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const limit = parseLimit(query.limit, maxBatch);
    const siteId = request.syncSite!.id;
    const ahead = parseStreamAhead(query);
    if (ahead) {
      // The next part of a stream, asked for while the site applies the last: never the queue's end.
      reply.raw.once('finish', () => sync.readAhead(siteId));
      return sendJson(reply, sync.queuedRecordsAheadJson(siteId, limit, ahead.entry, ahead.after));
    }
    const answer = sync.queuedRecordsJson(siteId, limit);
    // An empty queue is the last call of a run: the lease is free for the next run at once.
    if (answer.empty) leases.release(siteId, who(request));
    // While the site applies this answer, the central reads the next lines of a store it is streaming.
    else reply.raw.once('finish', () => sync.readAhead(siteId));
    return sendJson(reply, answer.json);
  });

  server.post(syncRoutes.queuedRecords, { preHandler }, async (request) => {
    const parsed = pushSchema.safeParse(request.body);
    if (!parsed.success) throw bodyError(parsed.error);
    return sync.receivePush(request.syncSite!.id, parsed.data as PushBody);
  });

  server.post(syncRoutes.acknowledgedRecords, { preHandler }, async (request, reply) => {
    const parsed = ackSchema.safeParse(request.body);
    if (!parsed.success) throw bodyError(parsed.error);
    sync.acknowledge(request.syncSite!.id, parsed.data.syncIDs, parsed.data.appliedUpTo);
    return reply.code(204).send();
  });

  server.get(syncRoutes.centralRecords, { preHandler }, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const cursorText = String(query.cursor ?? '0');
    if (!/^\d{1,15}$/.test(cursorText)) throw new SyncApiError('bad_request', 'cursor must be a whole number.');
    const limit = parseLimit(query.limit, maxBatch);
    return sendJson(reply, sync.centralRecordsJson(Number(cursorText), limit));
  });

  return sync;
}
