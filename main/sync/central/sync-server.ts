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
import { isCentralServerDatafile } from '../../services/datafile-role';
import type { SignInLimiter } from '../../net/sign-in-limiter';
import { hostAllowList } from '../../net/host-allow-list';
import { appError } from '../../../shared/errors';
import { type DataRouteOptions, registerDataRoutes } from './data-routes';
import { errorBody, SYNC_API_PREFIX, SyncApiError, type SyncErrorCode, syncErrors, syncRoutes } from '../protocol';
import { type AuthenticatedSite, SiteAuthenticator, type SiteAuthenticatorOptions } from './site-authenticator';
import type { SiteSyncErrors } from './site-sync-health';
import { SiteAnswers } from './site-answer';

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
  /**
   * Names this server answers to besides IP addresses, localhost and this computer's name (see
   * main/net/host-allow-list.ts); 'any' turns the check off (the desktop app's in-app central,
   * which serves only the sync API, reached under whatever name remote sites were given).
   */
  allowedHosts?: readonly string[] | 'any';
  /** fastify's logger: false (default), true, options, or a pino-compatible logger. */
  logger?: boolean | FastifyServerOptions['logger'] | FastifyBaseLogger;
}

export const defaultBodyLimit = 4 * 1024 * 1024;
export const defaultMaxHeaderSize = 16 * 1024;

function rawErrorResponse(status: number, code: SyncErrorCode): string {
  const body = JSON.stringify(errorBody(code));
  return (
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Error'}\r\n` +
    `Content-Type: application/json; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
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
  /** Where the last error each site met is kept (the core's, so the sites list can show it). */
  siteSyncErrors?: SiteSyncErrors;
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

  // Before anything else: a request under a name this server is not known by is refused (DNS rebinding).
  if (options.allowedHosts !== 'any') {
    const allowList = hostAllowList(options.allowedHosts ?? []);
    server.addHook('onRequest', async (request, reply) => {
      const host = request.headers.host;
      if (allowList.allows(host)) return;
      const name = String(host).slice(0, 100);
      const message =
        `This server does not answer to the name "${name}". If it is reached under that name, start it with ` +
        `--allowed-host or --public-url naming it.`;
      request.log.warn({ host: name, address: request.ip }, 'Request refused: Host is not one this server answers to');
      // The admin API's callers read the contract's Result; everyone else the sync error envelope.
      const body = request.url.startsWith('/api/')
        ? { ok: false, error: appError('permission_denied', message) }
        : errorBody('host_not_allowed', message);
      return reply.code(421).header('connection', 'close').send(body);
    });
  }

  // Every answer: no content sniffing; over HTTPS, browsers keep to HTTPS for this name.
  server.addHook('onSend', async (_request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    if (options.https) reply.header('strict-transport-security', 'max-age=31536000');
    return payload;
  });

  const authenticator = new SiteAuthenticator(core.datafile, core.hasher, core.sites, options, core.signIns?.sites);

  // The sync API follows the datafile's role as it is now: after Set site as active on another
  // site, this datafile is no longer the central server and refuses remote sites until it is again.
  // Read again whenever the datafile changed (by this process or another), else kept.
  let central = { generation: -1, value: false };
  /** `generation` just read from authenticator.changes. */
  const isCentralAt = (generation: number): boolean => {
    if (central.generation !== generation) central = { generation, value: isCentralServerDatafile(core.datafile.sqlite) };
    return central.value;
  };
  const refuseNotCentral = (reply: FastifyReply) => reply.code(syncErrors.not_central_server.status).send(errorBody('not_central_server'));
  server.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith(`${SYNC_API_PREFIX}/`)) return;
    // GET site checks the role itself, with the same read of the datafile as its authentication.
    if (request.routeOptions.url === syncRoutes.site) return;
    if (isCentralAt(authenticator.changes.generation())) return;
    return refuseNotCentral(reply);
  });

  server.decorate('siteAuthenticator', authenticator);
  server.decorateRequest('syncSite', null);
  server.decorate('authenticateSite', async (request: FastifyRequest) => {
    request.syncSite = await authenticator.authenticate(request.headers, request.ip, request.log);
  });
  server.addHook('onClose', async () => authenticator.close());

  server.setErrorHandler((error: FastifyError | SyncApiError, request, reply) => {
    if (error instanceof SyncApiError) {
      core.siteSyncErrors?.recordAnswered(request.headers, error);
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

  // Every remote site's every sync starts here, so this route is the central's busiest: one read of
  // the datafile's change counters serves the role check and the authentication (the site's row and
  // this answer, as JSON text, are kept until the datafile changes: site-answer.ts), and a verified
  // site is answered synchronously. Same checks, same order and same answers as the other routes.
  const siteAnswers = new SiteAnswers(core.datafile.sqlite, authenticator.changes);
  const sendSite = (reply: FastifyReply, site: AuthenticatedSite): void => {
    reply.request.syncSite = site;
    reply.header('content-type', 'application/json; charset=utf-8').send(siteAnswers.json(site));
  };
  server.get(syncRoutes.site, (request, reply) => {
    const generation = authenticator.changes.generation();
    if (!isCentralAt(generation)) {
      refuseNotCentral(reply);
      return;
    }
    const site = authenticator.authenticateNow(request.headers, request.ip, request.log, generation);
    // A sign-in that must wait (scrypt, its turn): the promise's failure goes to the error handler.
    if (site instanceof Promise) return site.then((signedIn) => sendSite(reply, signedIn));
    sendSite(reply, site);
  });

  // site_status and the data routes: initialise, queued_records, acknowledged_records, central_records.
  registerDataRoutes(server, core.datafile, options);

  return server;
}
