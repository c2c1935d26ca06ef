/**
 * How the windows reach the datafile. Inside Electron the preload bridge (`window.syncSites`)
 * carries each operation over IPC; in a browser every operation is an HTTP POST. Both answer with
 * the contract's `Result`, so no window knows or cares which one it is talking to.
 */
import type { SyncSitesApi } from '../../shared/contract';
import { operationNames, type OperationName } from '../../shared/operations';
import type { DesktopBridge, DesktopCommands } from '../../shared/bridge';
import { appError, isResult, type Result } from '../../shared/errors';
import { CSRF_HEADER, operationPath } from '../../shared/http-api';

export interface Transport {
  api: SyncSitesApi;
  /** The desktop-only datafile commands and menu events; null in a browser. */
  desktop: DesktopCommands | null;
}

export const unreachableMessage = 'Unable to reach the server. Check that it is running and that this computer is connected, then try again.';

function buildApi(call: (operation: OperationName, input: unknown) => Promise<Result<unknown>>): SyncSitesApi {
  const api: Record<string, (input: unknown) => Promise<Result<unknown>>> = {};
  for (const operation of operationNames) api[operation] = (input) => call(operation, input);
  return api as unknown as SyncSitesApi;
}

export interface HttpTransportOptions {
  /** Prefix of the API routes; same origin by default. */
  baseUrl?: string;
  fetch?: typeof fetch;
}

/** Each operation is `POST /api/op/<operation>` with the JSON input as its body. */
export function httpApi(options: HttpTransportOptions = {}): SyncSitesApi {
  const baseUrl = options.baseUrl ?? '';
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  return buildApi(async (operation, input) => {
    let response: Response;
    try {
      response = await doFetch(`${baseUrl}${operationPath(operation)}`, {
        method: 'POST',
        // The custom header is the server's CSRF guard: a cross-site form cannot set it.
        headers: { 'content-type': 'application/json', [CSRF_HEADER]: '1' },
        credentials: 'same-origin',
        body: JSON.stringify(input ?? {}),
      });
    } catch {
      return { ok: false, error: appError('internal_error', unreachableMessage) };
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      body = undefined;
    }
    if (isResult(body)) return body;
    return {
      ok: false,
      error: appError('internal_error', `The server gave an answer the app could not understand (HTTP ${response.status}). Please try again.`),
    };
  });
}

/**
 * The bridge's methods, guarded so that a rejected IPC call (main crashed, handler missing)
 * still reaches the window as an error value it can show, never as an unhandled rejection.
 */
function bridgeApi(bridge: DesktopBridge): SyncSitesApi {
  return buildApi(async (operation, input) => {
    try {
      const method = bridge[operation] as (input: unknown) => Promise<Result<unknown>>;
      const result = await method(input);
      if (isResult(result)) return result;
    } catch {
      // Falls through to the message below.
    }
    return { ok: false, error: appError('internal_error') };
  });
}

export function pickTransport(win: Pick<Window, 'syncSites'> = window): Transport {
  const bridge = win.syncSites;
  if (bridge) {
    return {
      api: bridgeApi(bridge),
      desktop: {
        datafileStatus: () => bridge.datafileStatus(),
        setUpDatafile: (input) => bridge.setUpDatafile(input),
        connectToServer: (input) => bridge.connectToServer(input),
        lastServerUrl: () => bridge.lastServerUrl(),
        onMenuCommand: (listener) => bridge.onMenuCommand(listener),
        setDeviceLanguage: (input) => bridge.setDeviceLanguage(input),
        onLanguageChosen: (listener) => bridge.onLanguageChosen(listener),
      },
    };
  }
  return { api: httpApi(), desktop: null };
}
