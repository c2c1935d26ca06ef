/**
 * A SyncSitesApi over a real core, as a transport would give it: every call goes through
 * `dispatch` (validation, login check, error values) and its input and output make a JSON round
 * trip, so nothing the windows send or receive depends on being in the same process.
 */
import type { OperationName, SyncSitesApi } from '../../shared/contract';
import { operationNames } from '../../shared/contract';
import type { Result } from '../../shared/errors';
import { type ApiSession, createHandlers, dispatch, type HandlerOptions } from '../../main/api/core-api';
import type { Core } from '../../main/core';
import { ADMIN, newCore } from '../helpers/core';

export interface InProcessApi {
  api: SyncSitesApi;
  core: Core;
  session: ApiSession;
  /** Every operation called, in order, with its input as sent. */
  calls: { operation: OperationName; input: unknown }[];
}

export function apiOver(core: Core, options: HandlerOptions = {}): InProcessApi {
  const handlers = createHandlers(core, options);
  const session: ApiSession = { userId: null };
  const calls: InProcessApi['calls'] = [];
  const api: Record<string, (input: unknown) => Promise<Result<unknown>>> = {};
  for (const operation of operationNames) {
    api[operation] = async (input) => {
      const sent = JSON.parse(JSON.stringify(input ?? {})) as unknown;
      calls.push({ operation, input: sent });
      const result = await dispatch(handlers, session, operation, sent, { logError: () => undefined });
      return JSON.parse(JSON.stringify(result)) as Result<unknown>;
    };
  }
  return { api: api as unknown as SyncSitesApi, core, session, calls };
}

export async function inProcessApi(options: { demo?: boolean } & HandlerOptions = { demo: true }): Promise<InProcessApi> {
  return apiOver(await newCore({ demo: options.demo ?? true }), options);
}

export { ADMIN };
