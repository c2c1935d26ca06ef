/**
 * The central server's HTTP side: mSupply sync API v5 over fastify. Remote sites authenticate on
 * every call (see site-authenticator.ts); every answer that is not a success is the protocol's error
 * envelope {"error": {"code", "message", "data"}}, including malformed, oversized and unknown
 * requests, so a client never sees a stack trace or an HTML page.
 *
 * The data routes (data-routes.ts) reuse the authentication with `preHandler: server.authenticateSite`
 * and read `request.syncSite`.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import type { Datafile } from '../../../db/datafile';
import type { PasswordHasher } from '../../services/passwords';
import type { SiteService } from '../../services/site-service';
import type { SignInLimiter } from '../../net/sign-in-limiter';
import { type DataRouteOptions, registerDataRoutes } from './data-routes';
import { errorBody, type SiteInfo, SyncApiError, type SyncErrorCode, syncErrors, syncRoutes } from '../protocol';
import { type AuthenticatedSite, SiteAuthenticator, type SiteAuthenticatorOptions } from './site-authenticator';

declare module 'fastify' {
  interface FastifyInstance {
    /** preHandler for every sync route: authenticates the calling site or answers with the error. */
    authenticateSite: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
    siteAuthenticator: SiteAuthenticator;
  }
  interface FastifyRequest {
    /** The site the caller authenticated as; set by `authenticateSite`. */
    syncSite: AuthenticatedSite | null;
  }
}

export interface CentralServerOptions extends SiteAuthenticatorOptions, DataRouteOptions {
  /** Largest request body accepted, in bytes (data routes carry batches of records). */
  bodyLimit?: number;
  /** Largest request header block accepted, in bytes. */
  maxHeaderSize?: number;
  /** A request must arrive completely within this time. */
  requestTimeoutMs?: number;
  /** Serve HTTPS with this certificate and key (PEM). */
  https?: { cert: string | Buffer; key: string | Buffer };
  /** fastify's logger: false (default), true, options, or a pino-compatible logger. */
  logger?: boolean | FastifyServerOptions['logger'] | FastifyBaseLogger;
}

export const defaultBodyLimit = 4 * 1024 * 1024;
export const defaultMaxHeaderSize = 16 * 1024;

function rawErrorResponse(status: number, code: SyncErrorCode): string {
  const body = JSON.stringify(errorBody(code));
  return (
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Error'}\r\n` +
    `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}

/**
 * Errors Node's HTTP parser raises before fastify sees a request (headers too large, garbage on the
 * socket, slow requests): answered with the same envelope, then the connection is closed.
 */
function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  let response: string;
  if (error.code === 'HPE_HEADER_OVERFLOW') response = rawErrorResponse(431, 'headers_too_large');
  else if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') response = rawErrorResponse(408, 'request_timeout');
  else response = rawErrorResponse(400, 'bad_request');
  if (socket.writable) socket.end(response);
  else socket.destroy();
}

function codeForFrameworkError(error: FastifyError): SyncErrorCode {
  const status = error.statusCode ?? 500;
  if (status === 413) return 'payload_too_large';
  if (status === 415) return 'unsupported_media_type';
  if (status === 408) return 'request_timeout';
  if (status === 431) return 'headers_too_large';
  if (status === 404) return 'not_found';
  if (status >= 400 && status < 500) return 'bad_request';
  return 'internal_error';
}

/** What the central needs of the open datafile (the core provides it; tests may pass less). */
export interface CentralServices {
  datafile: Datafile;
  hasher: PasswordHasher;
  sites: SiteService;
  /** Where failed sign-ins are counted (the core's, so the Sites window can show them). */
  signIns?: { sites: SignInLimiter };
}

export function createCentralServer(core: CentralServices, options: CentralServerOptions = {}): FastifyInstance {
  const maxHeaderSize = options.maxHeaderSize ?? defaultMaxHeaderSize;
  const serverOptions = {
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? defaultBodyLimit,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    http: { maxHeaderSize },
    https: options.https ? { cert: options.https.cert, key: options.https.key, maxHeaderSize } : null,
    clientErrorHandler,
    // Never echo a caller's request id header back into logs; generate our own.
    requestIdHeader: false,
    return503OnClosing: true,
    frameworkErrors: (_error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
      void reply.code(400).send(errorBody('bad_request', 'The request URL could not be read.'));
    },
  } as FastifyServerOptions;
  // fastify's instance type depends on http vs https; routes and plugins do not care which.
  const server = fastify(serverOptions) as unknown as FastifyInstance;

  const authenticator = new SiteAuthenticator(core.datafile, core.hasher, core.sites, options, core.signIns?.sites);
  server.decorate('siteAuthenticator', authenticator);
  server.decorateRequest('syncSite', null);
  server.decorate('authenticateSite', async (request: FastifyRequest) => {
    request.syncSite = await authenticator.authenticate(request.headers, request.ip, request.log);
  });
  server.addHook('onClose', async () => authenticator.close());

  server.setErrorHandler((error: FastifyError | SyncApiError, request, reply) => {
    if (error instanceof SyncApiError) {
      return reply.code(error.status).headers(error.headers).send(error.toBody());
    }
    const code = codeForFrameworkError(error);
    if (code === 'internal_error') request.log.error({ err: error }, 'Sync request failed');
    return reply.code(syncErrors[code].status).send(errorBody(code));
  });

  server.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!.slice(0, 200);
    return reply.code(404).send(errorBody('not_found', `There is no such sync route: ${request.method} ${path}`));
  });

  server.get('/health', async () => ({ status: 'ok' }));

  const storesOfSite = core.datafile.sqlite.prepare(
    'select uuid as id, code, name from store where site_id = ? order by code collate nocase, id',
  );
  server.get(syncRoutes.site, { preHandler: server.authenticateSite }, async (request): Promise<SiteInfo> => {
    const site = request.syncSite!;
    const stores = storesOfSite.all(site.id) as SiteInfo['stores'];
    return {
      id: site.uuid,
      siteId: site.id,
      code: site.code,
      name: site.name,
      initialisationStatus: site.initialisationStatus,
      type: site.type,
      stores: stores.map((s) => ({ ...s })),
    };
  });

  // site_status and the data routes: initialise, queued_records, acknowledged_records, central_records.
  registerDataRoutes(server, core.datafile, options);

  return server;
}
