/**
 * What a central server's answer means, in words: read once here for Check connection and for
 * sync runs, so both say the same thing about the same answer.
 */
import type { ConnectionOutcome } from '../../../shared/contract';
import type { SyncHttpResponse, SyncTransportError } from '../../net/http-client';

export type FailureOutcome = Exclude<ConnectionOutcome, 'connected'>;

export const connectionMessages: Record<FailureOutcome, string> = {
  site_name_not_found: 'Site name not found',
  site_incorrect_password: 'Incorrect password',
  site_incorrect_hardware_id: 'Incorrect hardware ID',
  site_has_no_store: 'Site has no store',
  api_version_incompatible: 'Sync API version is not compatible',
  site_mismatch: 'Site mismatch',
  unable_to_connect: 'Unable to connect to server',
  invalid_url: 'Invalid url',
  certificate_not_trusted: "The server's certificate is not trusted",
  timed_out: 'The server did not answer in time',
  too_many_attempts: 'Too many failed attempts: the central server refuses this site for a while. Try again later.',
  server_error: 'The central server answered with an error',
};

export interface CentralFailure {
  outcome: FailureOutcome;
  message: string;
  /** The central said it is busy (503): worth trying again later, nothing is wrong. */
  busy?: true;
  /** The request never got an answer (no connection, timeout, certificate): changes stay queued. */
  unreached?: true;
}

export type CentralAnswer = { ok: true; body: unknown } | { ok: false; failure: CentralFailure };

export const notUnderstood = "The central server's answer was not understood.";

/** The parsed JSON, or undefined when the text is not JSON (a proxy's error page, say). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Text from the central shown to a person: one line, bounded. */
export function shown(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 300 ? `${oneLine.slice(0, 297)}...` : oneLine;
}

function failure(outcome: FailureOutcome, message = connectionMessages[outcome]): CentralAnswer {
  return { ok: false, failure: { outcome, message } };
}

/** A request that got no usable answer at all. */
export function transportFailure(error: SyncTransportError): CentralFailure {
  if (error.kind === 'bad_response') return { outcome: 'server_error', message: notUnderstood };
  return { outcome: error.kind, message: connectionMessages[error.kind], unreached: true };
}

/** Codes of the central's error envelope that mean the same outcome here. */
const centralCodes = new Set<string>([
  'site_name_not_found',
  'site_incorrect_password',
  'site_incorrect_hardware_id',
  'site_has_no_store',
  'too_many_attempts',
]);

/** A 2xx answer's JSON (null for 204), or what went wrong in words. */
export function readCentralAnswer(response: SyncHttpResponse): CentralAnswer {
  if (response.status === 204) return { ok: true, body: null };
  const body = parseJson(response.body);
  if (response.status >= 200 && response.status < 300) {
    return body === undefined ? failure('server_error', notUnderstood) : { ok: true, body };
  }
  const error = (body as { error?: { code?: unknown; message?: unknown; data?: unknown } } | undefined)?.error;
  const code = typeof error?.code === 'string' ? error.code : '';
  if (centralCodes.has(code)) return failure(code as FailureOutcome);
  if (code === 'api_version_incompatible') {
    const range = error?.data as { min?: unknown; max?: unknown } | null | undefined;
    const known = typeof range?.min === 'number' && typeof range.max === 'number';
    return failure(
      'api_version_incompatible',
      known ? `Sync API version is not compatible (the server supports ${range.min} to ${range.max})` : undefined,
    );
  }
  const serverMessage = typeof error?.message === 'string' && error.message ? shown(error.message) : null;
  if (response.status >= 300 && response.status < 400) {
    const location = response.headers.location ? ` to ${shown(response.headers.location)}` : '';
    return failure(
      'server_error',
      `The server answered with a redirect (HTTP ${response.status})${location}. Enter that address as the central server URL.`,
    );
  }
  if (response.status === 503) {
    return { ok: false, failure: { outcome: 'server_error', message: serverMessage ?? 'The central server is busy.', busy: true } };
  }
  const words = serverMessage ? `: ${serverMessage}` : '';
  return failure('server_error', `The central server answered with an error (HTTP ${response.status})${words}`);
}
