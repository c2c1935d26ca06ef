/**
 * Issue 15: the sign-in limiter's bounded wait queue, on its own (a clock under the test's control).
 * Slow checks run on fewer slots than cores; a full queue, or a wait that would end after the
 * caller's timeout, is refused as `overloaded` (the transports answer 503 + Retry-After), and such a
 * refusal is never counted as a failure. Seeded: arrivals from random addresses and devices, random
 * outcomes and clock steps; the bounds hold at every step.
 */
import { type CheckConcurrency, type SignInAttempt, type SignInRefusal, SignInLimiter } from '../../main/net/sign-in-limiter';
import { withSeed } from '../helpers/seeded-random';

const loose = { slowAfter: 1000, delayMs: 0, maxDelayMs: 0, lockAfter: 1000, lockMs: 60_000, windowMs: 60_000 };

function limiter(clock: { now: number }, concurrency: Partial<CheckConcurrency>) {
  return new SignInLimiter({
    perName: loose,
    perAddress: loose,
    concurrency: { perName: 2, perAddress: 2, total: 1, deviceWaiting: 2, ...concurrency },
    expectedCheckMs: 100,
    now: () => clock.now,
  });
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('the wait queue of slow checks', () => {
  it('past maxWaiting an attempt is refused as overloaded with a Retry-After, and nothing is counted against the name', async () => {
    const clock = { now: 0 };
    const l = limiter(clock, { maxWaiting: 2 });
    const attempts = [0, 1, 2, 3].map((i) => l.begin({ name: `site ${i}`, address: `10.0.0.${i}` }));
    await flush();
    const fourth = (await attempts[3]) as SignInRefusal;
    expect(fourth).toMatchObject({ refused: true, reason: 'overloaded' });
    expect(fourth.retryAfterMs).toBeGreaterThanOrEqual(1000);
    expect(l.waitingChecks).toBe(2);
    const first = (await attempts[0]) as SignInAttempt;
    first.succeeded();
    ((await attempts[1]) as SignInAttempt).failed();
    ((await attempts[2]) as SignInAttempt).succeeded();
    expect(l.summary('site 3').failures).toBe(0);
    expect(l.summary('site 1').failures).toBe(1);
  });

  it('a check that would end after maxQueueWaitMs is shed when a slot frees, not started', async () => {
    const clock = { now: 0 };
    const l = limiter(clock, { maxQueueWaitMs: 1000 });
    const running = l.begin({ name: 'a', address: '10.0.0.1' });
    const waiting = l.begin({ name: 'b', address: '10.0.0.2' });
    await flush();
    expect(l.waitingChecks).toBe(1);
    clock.now += 1500;
    ((await running) as SignInAttempt).succeeded();
    const shed = (await waiting) as SignInRefusal;
    expect(shed).toMatchObject({ refused: true, reason: 'overloaded' });
    expect(l.waitingChecks).toBe(0);
    // The next one finds the slot free and is checked.
    expect(((await l.begin({ name: 'b', address: '10.0.0.2' })) as SignInAttempt).refused).toBe(false);
  });

  it('one address cannot take every place: another address still gets one, and its turn comes first', async () => {
    const clock = { now: 0 };
    const l = limiter(clock, { maxWaiting: 4 });
    const burst = Array.from({ length: 10 }, (_, i) => l.begin({ name: `guess ${i}`, address: '10.0.0.66' }));
    await flush();
    const viewer = l.begin({ name: 'viewer', address: '10.0.0.7' });
    await flush();
    const answers = await Promise.all(burst.slice(1).map((p) => Promise.race([p, flush().then(() => null)])));
    expect(answers.filter((a) => a && a.refused && a.reason === 'overloaded').length).toBeGreaterThan(0);
    ((await burst[0]) as SignInAttempt).failed();
    const started = (await viewer) as SignInAttempt;
    expect(started.refused).toBe(false);
  });

  it('with busyShare 0.5 the slots rest as long as a check took before the next one starts', async () => {
    const clock = { now: 0 };
    const l = limiter(clock, { busyShare: 0.5 });
    const first = (await l.begin({ name: 'a', address: '10.0.0.1' })) as SignInAttempt;
    let secondStarted = 0;
    const second = l.begin({ name: 'b', address: '10.0.0.2' }).then((attempt) => ((secondStarted = performance.now()), attempt));
    await new Promise((resolve) => setTimeout(resolve, 80));
    const settledAt = performance.now();
    first.succeeded();
    await flush();
    expect(secondStarted).toBe(0);
    expect(((await second) as SignInAttempt).refused).toBe(false);
    expect(secondStarted - settledAt).toBeGreaterThanOrEqual(60);
  });

  it('seeded: at most `total` checks run, the queue never exceeds its bound, refusals count nothing', async () => {
    await withSeed(async (random) => {
      const clock = { now: 0 };
      const maxWaiting = 1 + random.below(6);
      const total = 1 + random.below(2);
      const l = limiter(clock, { maxWaiting, total, maxQueueWaitMs: 500 + random.below(3000) });
      const live: SignInAttempt[] = [];
      let running = 0;
      let most = 0;
      let failures = 0;
      const pending: Promise<void>[] = [];
      for (let step = 0; step < 400; step += 1) {
        const action = random.below(4);
        if (action < 2) {
          const device = random.below(4) === 0;
          const name = `site ${random.below(20)}`;
          const address = `10.0.0.${random.below(5)}`;
          pending.push(
            l.begin({ name, address, device: device ? `device of ${name}` : undefined }).then((attempt) => {
              if (attempt.refused) return;
              running += 1;
              most = Math.max(most, running);
              live.push(attempt);
            }),
          );
        } else if (action === 2 && live.length > 0) {
          const attempt = live.splice(random.below(live.length), 1)[0]!;
          running -= 1;
          if (random.below(2) === 0) {
            attempt.succeeded();
          } else {
            attempt.failed();
            failures += 1;
          }
        } else {
          clock.now += random.below(400);
        }
        await flush();
        expect(l.waitingChecks).toBeLessThanOrEqual(2 * maxWaiting);
      }
      while (live.length > 0) {
        live.pop()!.succeeded();
        running -= 1;
        await flush();
      }
      expect(most).toBeLessThanOrEqual(total);
      const counted = l.summaries().reduce((sum, s) => sum + s.failures, 0);
      expect(counted).toBeLessThanOrEqual(failures);
    });
  });
});
