/**
 * Calling the central over a patchy connection (sync-v5.md, client-side guards): a call that got no
 * answer is tried again with a longer timeout, and a 503 "busy" answer means wait and try again.
 * Both are bounded so that Check connection always finishes.
 */
import { type SyncHttpClient, type SyncHttpRequest, type SyncHttpResponse, SyncTransportError } from './http-client';

export interface RetryPolicy {
  /** Tries in all when nothing answers. */
  attempts: number;
  firstTimeoutMs: number;
  /** Each retry's timeout is the previous one times this, up to maxTimeoutMs. */
  timeoutGrowth: number;
  maxTimeoutMs: number;
  /** Pause before a retry after a connection failure, growing with each one. */
  retryPauseMs: number;
  /** Extra tries after 503 answers. */
  busyRetries: number;
  /** Wait after a 503 without Retry-After; Retry-After is honoured up to maxBusyWaitMs. */
  busyWaitMs: number;
  maxBusyWaitMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  attempts: 3,
  firstTimeoutMs: 5_000,
  timeoutGrowth: 2,
  maxTimeoutMs: 20_000,
  retryPauseMs: 500,
  busyRetries: 3,
  busyWaitMs: 2_000,
  maxBusyWaitMs: 10_000,
};

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function busyWait(response: SyncHttpResponse, attempt: number, policy: RetryPolicy): number {
  const retryAfter = Number(response.headers['retry-after']);
  const wanted = Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : policy.busyWaitMs * attempt;
  return Math.min(policy.maxBusyWaitMs, wanted);
}

export async function requestWithRetry(
  client: SyncHttpClient,
  request: Omit<SyncHttpRequest, 'timeoutMs'>,
  policy: RetryPolicy = defaultRetryPolicy,
  sleep: (ms: number) => Promise<void> = sleepFor,
): Promise<SyncHttpResponse> {
  let timeoutMs = policy.firstTimeoutMs;
  let failures = 0;
  let busy = 0;
  for (;;) {
    try {
      const response = await client.request({ ...request, timeoutMs });
      if (response.status === 503 && busy < policy.busyRetries) {
        busy += 1;
        await sleep(busyWait(response, busy, policy));
        continue;
      }
      return response;
    } catch (error) {
      const retryable = error instanceof SyncTransportError && (error.kind === 'unable_to_connect' || error.kind === 'timed_out');
      failures += 1;
      if (!retryable || failures >= policy.attempts) throw error;
      timeoutMs = Math.min(policy.maxTimeoutMs, Math.round(timeoutMs * policy.timeoutGrowth));
      await sleep(policy.retryPauseMs * failures);
    }
  }
}
