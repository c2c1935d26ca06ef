/**
 * The contract over HTTP, for administrators working from a browser (or from a desktop app
 * connected to a server): `POST /api/op/<operation>` with the JSON input; the answer is always the
 * contract's Result. The same `dispatch` as Electron's IPC does the validation and the rules.
 *
 * Protection: the session token is an HttpOnly, SameSite=Strict cookie (Secure over HTTPS); every
 * call must carry the `x-sync-sites` header and, when the browser sends one, an Origin equal to
 * this server's, so another site's page cannot make calls with the administrator's cookie.
 */
import fs from 'node:fs';
import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { appError, type ErrorCode, type Result } from '../../shared/errors';
import { CSRF_HEADER, operationPath, SESSION_COOKIE } from '../../shared/http-api';
import { type ApiSession, createHandlers, dispatch } from '../api/core-api';
import type { Core } from '../core';
import type { SignInLimitOptions } from '../net/sign-in-limiter';
import { SessionStore, type SessionStoreOptions } from './session-store';

export { CSRF_HEADER, SESSION_COOKIE };

const statusOf: Partial<Record<ErrorCode, number>> = {
  validation_failed: 400,
  not_logged_in: 401,
  invalid_credentials: 401,
  permission_denied: 403,
  site_not_found: 404,
  store_not_found: 404,
  site_name_taken: 409,
  site_changed: 409,
  site_has_stores: 409,
  site_is_active: 409,
  site_is_central: 409,
  central_store_removal: 409,
  mobile_site_one_store: 409,
  user_not_found: 404,
  user_name_taken: 409,
  user_disabled: 403,
  last_administrator: 409,
  own_admin_permission: 409,
  too_many_attempts: 429,
  server_busy: 503,
  internal_error: 500,
};

export interface AdminApiOptions {
  /** Served over HTTPS: the cookie gets the Secure flag. */
  secure: boolean;
  sessions?: SessionStoreOptions;
  loginLimits?: Partial<SignInLimitOptions>;
  /** The built renderer (dist/renderer); served at / when it exists. */
  rendererDir?: string;
  logError?: (operation: string, error: unknown) => void;
}

function send(reply: FastifyReply, result: Result<unknown>): FastifyReply {
  const status = result.ok ? 200 : (statusOf[result.error.code] ?? 400);
  if (!result.ok && result.error.code === 'server_busy') {
    const seconds = (result.error.data as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
    reply.header('retry-after', String(typeof seconds === 'number' ? seconds : 1));
  }
  return reply.code(status).header('cache-control', 'no-store').send(result);
}

function sameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true; // not a browser cross-site request; the custom header still applies
  const host = request.headers.host;
  return origin === `${request.protocol}://${host}`;
}

const securityHeaders = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

export async function registerAdminApi(app: FastifyInstance, core: Core, options: AdminApiOptions): Promise<void> {
  const handlers = createHandlers(core, { logSecurity: (details, message) => app.log.warn(details, message) });
  const sessions = new SessionStore(options.sessions);
  if (options.loginLimits) core.signIns.users.reconfigure(options.loginLimits);
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'strict' as const, secure: options.secure };

  await app.register(async (scope) => {
    await scope.register(fastifyCookie);

    scope.setErrorHandler((error: { statusCode?: number; code?: string }, request, reply) => {
      // Bodies that are not JSON, too large, or unparsable: answer in the contract's terms.
      const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
      if (status >= 500) options.logError?.(request.url, error);
      const message =
        error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? 'The request is too large.'
          : error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
            ? 'Requests must be sent as JSON.'
            : status < 500
              ? 'The request could not be read.'
              : undefined;
      const result: Result<never> = {
        ok: false,
        error: status >= 500 ? appError('internal_error') : appError('validation_failed', message),
      };
      return reply.code(status).send(result);
    });

    scope.post<{ Params: { operation: string }; Body: unknown }>(
      operationPath(':operation'),
      { bodyLimit: 4 * 1024 * 1024 },
      async (request, reply) => {
        if (request.headers[CSRF_HEADER] !== '1' || !sameOrigin(request)) {
          return reply.code(403).send({
            ok: false,
            error: appError('permission_denied', 'This request did not come from the Synchronisation window and was refused.'),
          });
        }
        const { operation } = request.params;
        const token = request.cookies[SESSION_COOKIE];
        const log = options.logError;

        if (operation === 'login') {
          // Counted per user name and address by the core's login limiter (see core-api.ts).
          const fresh: ApiSession = { userId: null, address: request.ip };
          const result = await dispatch(handlers, fresh, 'login', request.body, { logError: log });
          if (!result.ok || fresh.userId === null) return send(reply, result);
          sessions.end(token);
          reply.setCookie(SESSION_COOKIE, sessions.create(fresh.userId), cookieOptions);
          return send(reply, result);
        }

        if (operation === 'logout') {
          sessions.end(token);
          reply.clearCookie(SESSION_COOKIE, cookieOptions);
          return send(reply, await dispatch(handlers, { userId: null }, 'logout', request.body, { logError: log }));
        }

        const session = sessions.find(token) ?? { userId: null };
        const result = await dispatch(handlers, session, operation, request.body, { logError: log });
        // The user was removed meanwhile: the session is over.
        if (session.userId === null && token) {
          sessions.end(token);
          reply.clearCookie(SESSION_COOKIE, cookieOptions);
        }
        return send(reply, result);
      },
    );

    scope.all('/api/*', async (_request, reply) =>
      reply.code(404).send({ ok: false, error: appError('validation_failed', 'That operation does not exist.') }),
    );

    const rendererDir = options.rendererDir;
    if (rendererDir && fs.existsSync(path.join(rendererDir, 'index.html'))) {
      scope.addHook('onSend', async (_request, reply, payload) => {
        for (const [name, value] of Object.entries(securityHeaders)) reply.header(name, value);
        return payload;
      });
      await scope.register(fastifyStatic, {
        root: path.resolve(rendererDir),
        prefix: '/',
        index: 'index.html',
        // Only the built window: never a source map, even if a development build left one there.
        allowedPath: (pathName) => !pathName.toLowerCase().endsWith('.map'),
      });
    } else {
      scope.get('/', async (_request, reply) =>
        reply
          .type('text/plain; charset=utf-8')
          .send('The Synchronisation window has not been built yet. Run "npm run build", then reload this page.'),
      );
    }
  });
}
