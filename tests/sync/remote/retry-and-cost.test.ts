/**
 * The remote's bounded retries (growing timeouts, 503 waits), and what the credentials cache buys
 * with the real OWASP scrypt cost.
 */
import path from 'node:path';
import { openCore } from '../../../main/core';
import { PasswordHasher, owaspScrypt } from '../../../main/services/passwords';
import { type SyncHttpClient, type SyncHttpRequest, type SyncHttpResponse, SyncTransportError } from '../../../main/net/http-client';
import { defaultRetryPolicy, requestWithRetry } from '../../../main/net/request-with-retry';
import { ADMIN, tempDir } from '../../helpers/core';
import { WAIKATO, setSitePassword, startCentral, syncCall } from '../helpers';

function scripted(steps: Array<SyncHttpResponse | SyncTransportError>) {
  const timeouts: number[] = [];
  const client: SyncHttpClient = {
    name: 'scripted',
    async request(request: SyncHttpRequest) {
      timeouts.push(request.timeoutMs);
      const step = steps.shift();
      if (!step) throw new Error('no more scripted answers');
      if (step instanceof SyncTransportError) throw step;
      return step;
    },
  };
  return { client, timeouts };
}

const ok: SyncHttpResponse = { status: 200, headers: {}, body: '{}' };
const busy = (retryAfter?: string): SyncHttpResponse => ({
  status: 503,
  headers: retryAfter === undefined ? {} : { 'retry-after': retryAfter },
  body: '{"error":{"code":"sync_is_running","message":"busy","data":null}}',
});
const request = { method: 'GET' as const, url: 'http://central.invalid/sync/v5/site', headers: {} };

describe('requestWithRetry', () => {
  const waits: number[] = [];
  const sleep = async (ms: number) => {
    waits.push(ms);
  };
  beforeEach(() => (waits.length = 0));
  const policy = { ...defaultRetryPolicy, attempts: 4, firstTimeoutMs: 100, timeoutGrowth: 2, maxTimeoutMs: 300, retryPauseMs: 5 };

  it('tries again after a connection failure, with a growing (capped) timeout, and stops after the last attempt', async () => {
    const { client, timeouts } = scripted([
      new SyncTransportError('unable_to_connect', 'ECONNREFUSED'),
      new SyncTransportError('timed_out', 'aborted'),
      new SyncTransportError('timed_out', 'aborted'),
      new SyncTransportError('unable_to_connect', 'ECONNRESET'),
    ]);
    await expect(requestWithRetry(client, request, policy, sleep)).rejects.toMatchObject({ kind: 'unable_to_connect' });
    expect(timeouts).toEqual([100, 200, 300, 300]);
  });

  it('returns the answer once the server answers', async () => {
    const { client, timeouts } = scripted([new SyncTransportError('timed_out', 'aborted'), ok]);
    await expect(requestWithRetry(client, request, policy, sleep)).resolves.toBe(ok);
    expect(timeouts).toEqual([100, 200]);
  });

  it('does not retry an untrusted certificate: trying again cannot fix it', async () => {
    const { client, timeouts } = scripted([new SyncTransportError('certificate_not_trusted', 'DEPTH_ZERO_SELF_SIGNED_CERT'), ok]);
    await expect(requestWithRetry(client, request, policy, sleep)).rejects.toMatchObject({ kind: 'certificate_not_trusted' });
    expect(timeouts).toHaveLength(1);
  });

  it('waits after 503 as Retry-After says (bounded), then gives the last answer when the server stays busy', async () => {
    const { client } = scripted([busy('1'), busy('3600'), busy(), busy(), ok]);
    const answer = await requestWithRetry(client, request, { ...policy, busyRetries: 3, busyWaitMs: 50, maxBusyWaitMs: 2000 }, sleep);
    expect(answer.status).toBe(503);
    expect(waits).toEqual([1000, 2000, 150]);
  });
});

describe('the credentials cache with real OWASP scrypt parameters', () => {
  it('makes the second call of a site much faster than the first', async () => {
    const hasher = new PasswordHasher(owaspScrypt);
    const core = await openCore(path.join(tempDir('owasp-'), 'central.sqlite'), { create: true, hasher, setup: { admin: ADMIN, demo: true } });
    const central = await startCentral({ core });
    try {
      await setSitePassword(core, WAIKATO, 'waikato password');
      const timed = async () => {
        const started = performance.now();
        const answer = await syncCall(central.url, '/sync/v5/site');
        expect(answer.status).toBe(200);
        return performance.now() - started;
      };
      const cold = await timed();
      const warm = Math.min(await timed(), await timed(), await timed());
      expect(central.running.server.siteAuthenticator.credentials.scryptVerifications).toBe(1);
      expect(cold).toBeGreaterThan(40);
      expect(warm * 4).toBeLessThan(cold);
    } finally {
      await central.stop();
    }
  });
});
