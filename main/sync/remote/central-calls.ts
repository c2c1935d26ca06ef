/**
 * The HTTP calls of one sync run: every call carries the site's credentials and the run's own ID
 * (so the central holds one run lease per site), and every failure becomes a SyncRunError whose
 * message is already in words for the status line.
 */
import { randomUUID } from 'node:crypto';
import type { RemoteSyncSettings } from '../../../db/settings';
import type { SyncErrorCode, SyncPhase } from '../../../shared/contract';
import { type SyncHttpResponse, SyncTransportError } from '../../net/http-client';
import { syncHeaders, syncRoutes } from '../protocol';
import { connectionMessages, readCentralAnswer, transportFailure } from './central-answer';
import { parseCentralUrl, type RemoteConnection } from './connection';

/** A run failure whose message is already in words for the status line. */
export class SyncRunError extends Error {
  /** Its kind: the status line and the sync log add a hint of what to do about it. */
  readonly code: SyncErrorCode;
  constructor(message: string, code: SyncErrorCode = 'unexpected') {
    super(message);
    this.code = code;
    this.name = 'SyncRunError';
  }
}

export interface CentralCallsOptions {
  /** Pause between site_status polls while the central is busy for this site. */
  statusPollMs?: number;
  /** Longest wait for the central to finish integrating or initialising. */
  maxBusyWaitMs?: number;
  sleep: (ms: number) => Promise<void>;
  /** Throws when the run must stop (the datafile is closing); checked around every call. */
  checkOpen: () => void;
  /** Progress while waiting for the central. */
  progress: (phase: SyncPhase, message: string) => void;
}

export class CentralCalls {
  private readonly base: string;
  private readonly headers: Record<string, string>;

  constructor(
    private readonly connection: RemoteConnection,
    settings: RemoteSyncSettings,
    instanceId: string,
    private readonly options: CentralCallsOptions,
  ) {
    const base = parseCentralUrl(settings.centralUrl);
    if (!base) throw new SyncRunError(connectionMessages.invalid_url, 'invalid_url');
    this.base = base;
    this.headers = { ...connection.headers(settings), [syncHeaders.syncRun]: `${instanceId}/${randomUUID()}` };
  }

  /** One call; the answer's JSON (null for 204), or a SyncRunError saying what went wrong. */
  async call(method: 'GET' | 'POST', route: string, body?: unknown): Promise<unknown> {
    this.options.checkOpen();
    let response: SyncHttpResponse;
    try {
      response = await this.connection.send({
        method,
        url: `${this.base}${route}`,
        headers: body === undefined ? this.headers : { ...this.headers, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      if (!(error instanceof SyncTransportError)) throw error;
      const failure = transportFailure(error);
      throw new SyncRunError(
        failure.unreached ? `${failure.message}. Changes made here are kept and will be sent on the next sync.` : failure.message,
        failure.outcome,
      );
    }
    this.options.checkOpen();
    const answer = readCentralAnswer(response);
    if (answer.ok) return answer.body;
    const { message, busy, outcome } = answer.failure;
    throw new SyncRunError(busy ? `${message} Sync will be tried again later.` : message, busy ? 'central_busy' : outcome);
  }

  /** Waits (polling site_status) while the central initialises or integrates for this site. */
  async waitUntilIdle(phase: SyncPhase, message: string): Promise<void> {
    const poll = this.options.statusPollMs ?? 100;
    const deadline = Date.now() + (this.options.maxBusyWaitMs ?? 10 * 60_000);
    for (;;) {
      const status = (await this.call('GET', syncRoutes.siteStatus)) as { code?: unknown } | null;
      if (status?.code === 'idle') return;
      if (status?.code === 'sync_is_running') {
        throw new SyncRunError('Another sync of this site is running (from another datafile or device). Try again later.', 'sync_is_running');
      }
      if (Date.now() > deadline) {
        throw new SyncRunError('The central server is still busy with this site. Sync will be tried again later.', 'central_busy');
      }
      this.options.progress(phase, message);
      await this.options.sleep(poll);
    }
  }
}
