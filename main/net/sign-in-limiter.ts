/**
 * Slows down, then refuses, password guessing: against the sync API (the name is a site name) and
 * against users' logins (a user name). Counters live in memory: a restart forgets them, which only
 * gives a guesser a fresh allowance of a few attempts.
 *
 * Every attempt is counted BEFORE its password is checked (a reservation), so a burst of parallel
 * guesses sees the ones still being checked: at most `lockAfter` checks of one lane ever start in a
 * window, however many arrive at once. Checks also wait for a slot (a few per name, per address and
 * in all), so a burst cannot take every scrypt thread and delay other people's sign-ins.
 *
 * What is counted, and what a lock shuts out, is chosen so that an attacker cannot lock out the real
 * site or user:
 * - a **lane** is one name from one address, or one name from its bound device (a site's hardware
 *   ID). A lane is locked after `perName.lockAfter` failures; a device lane is never locked, only
 *   slowed and checked one at a time, so a correct password from the bound device always gets in;
 * - an **address** is locked after `perAddress.lockAfter` failures over all names (one machine trying
 *   many names). Device lanes do not count towards it and are not shut out by it;
 * - a **name everywhere** (all its lanes) slows every lane but the device's; it locks only where the
 *   caller asks (`lockEverywhere`: a bound site, whose other devices could never get in anyway).
 * A success clears the failures of its own lane only, never those of other addresses or devices.
 */

import os from 'node:os';

export interface FailureLimits {
  /** Failures (inside the window) after which every further attempt waits before it is checked. */
  slowAfter: number;
  /** Wait per failure beyond `slowAfter`, growing until `maxDelayMs`. */
  delayMs: number;
  maxDelayMs: number;
  /** Failures (inside the window) that lock the key out. */
  lockAfter: number;
  /** How long a locked key is refused (429). */
  lockMs: number;
  /** Failures older than this are forgotten. */
  windowMs: number;
}

export interface CheckConcurrency {
  /** Password checks of one name (all its address lanes) running at once. */
  perName: number;
  /** Password checks from one address running at once. */
  perAddress: number;
  /** Password checks running at once in all (scrypt uses libuv's 4 threads). */
  total: number;
  /** Attempts of one bound device waiting for their check; more are refused as busy. */
  deviceWaiting: number;
  /**
   * The bounded wait queue. An attempt that would wait longer than this for its check (estimated
   * from the checks waiting and the measured time of one check) is refused as `overloaded`: the
   * sync API answers 503 with Retry-After, instead of answering after a client's timeout. Not
   * counted as a failure. Bound devices have a queue of their own, so guesses cannot fill it; one
   * address may take at most three quarters of the others' queue. Unset: no bound.
   */
  maxQueueWaitMs?: number;
  /** Checks waiting, at most, in each queue (however fast checks are). Unset: no bound. */
  maxWaiting?: number;
  /**
   * The share of the time the slow checks may keep their slots busy (0 to 1; unset: 1). After a
   * check of t ms the slots rest t * (1 / share - 1) ms before the next starts, so a burst of new
   * sign-ins leaves the cores (and their caches: scrypt sweeps 128 MiB) to everyone else's calls.
   */
  busyShare?: number;
}

export interface SignInLimitOptions {
  /** One name from one address (or one bound device, which is only ever slowed). */
  perName: FailureLimits;
  /**
   * Set higher than per name: many remote sites can share one address behind a NAT, and one
   * site with an old password must not lock the others out for long.
   */
  perAddress: FailureLimits;
  /** One name from every address together; default: three times the per-name numbers. */
  perNameEverywhere?: FailureLimits;
  concurrency: CheckConcurrency;
  /** Bound on remembered keys, so made-up names cannot grow memory without end. */
  maxTrackedKeys: number;
  /** What one check costs before one has been measured (the wait estimate starts from it). */
  expectedCheckMs?: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

const minute = 60_000;

/**
 * Slow checks (scrypt) running at once: fewer than the machine's cores, so the event loop, which
 * answers every other call, always keeps a core (one on a 2-core machine, at most 3).
 */
export function slowCheckSlots(cores = os.availableParallelism()): number {
  return Math.max(1, Math.min(3, cores - 1));
}

export const defaultSignInLimits: SignInLimitOptions = {
  perName: { slowAfter: 3, delayMs: 250, maxDelayMs: 2000, lockAfter: 10, lockMs: 15 * minute, windowMs: 15 * minute },
  perAddress: { slowAfter: 10, delayMs: 100, maxDelayMs: 2000, lockAfter: 50, lockMs: 15 * minute, windowMs: 15 * minute },
  // About 0.3 s of CPU per OWASP scrypt check, busy at most half the time: with one slot about 5
  // wait, answered within 3 s, well inside a remote site's 5 s first timeout; the next is told to
  // come back (503 + Retry-After). Sites verified before are not checked again (verified-credentials.ts).
  concurrency: { perName: 2, perAddress: 2, total: slowCheckSlots(), deviceWaiting: 2, maxQueueWaitMs: 3000, maxWaiting: 256, busyShare: 0.5 },
  maxTrackedKeys: 10_000,
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Users' logins: fewer attempts per name than sites, shorter locks. */
export const defaultLoginLimits: Partial<SignInLimitOptions> = {
  perName: { slowAfter: 3, delayMs: 300, maxDelayMs: 2000, lockAfter: 8, lockMs: 10 * minute, windowMs: 15 * minute },
  perAddress: { slowAfter: 10, delayMs: 200, maxDelayMs: 2000, lockAfter: 40, lockMs: 10 * minute, windowMs: 15 * minute },
  // A person logs in once in a while: one check per address, at most two in all (fewer than the
  // cores), so a burst from one address leaves the other scrypt slot (and CPU core) to everyone else.
  // A person waits a few seconds rather than be told to try again: answered within 8 s (the
  // desktop app's server calls wait 20 s), else 503 + Retry-After.
  concurrency: { perName: 1, perAddress: 1, total: Math.min(2, slowCheckSlots()), deviceWaiting: 1, maxQueueWaitMs: 8000, maxWaiting: 64 },
};

interface Counter {
  failures: number;
  /** Attempts reserved and not yet settled: they count towards the lock like failures. */
  pending: number;
  /** Checks of this key running now. */
  running: number;
  firstFailureAt: number;
  lastFailureAt: number;
  lastAddress: string;
  lockedUntil: number;
}

type Limits = FailureLimits;

/** What an administrator sees of one name's recent failures. */
export interface FailureSummary {
  /** The name as the limiter keys it (lowercased). */
  name: string;
  /** Failed attempts inside the window, from every address and device. */
  failures: number;
  lastAddress: string | null;
  /** ISO time of the last failure. */
  lastFailureAt: string | null;
  /** ISO time until which some lane of this name is refused; null when nothing is locked. */
  lockedUntil: string | null;
}

/**
 * Why an attempt was refused before its check: `locked` (too many failures), `busy` (this bound
 * device is already being checked), `overloaded` (too many checks waiting: come back later, 503).
 */
export type SignInRefusal = { refused: true; retryAfterMs: number; reason: 'locked' | 'busy' | 'overloaded' };

export interface SignInAttempt {
  refused: false;
  /** The password was right: the reservation is released and this lane's own failures are cleared. */
  succeeded(): void;
  /** The password was wrong: the reservation becomes a failure. Says whether that locked something. */
  failed(): { locked: 'name' | 'address' | null };
  /** The check itself broke (not a wrong password): the reservation is released uncounted. */
  abandon(): void;
}

export interface SignInRequest {
  /** The name key (see shared/names.ts nameKey). */
  name: string;
  address: string;
  /** Set when the caller presents the site's bound hardware ID: its own lane, never locked. */
  device?: string;
  /** Lock the name everywhere after its failures from all addresses (a bound site's other devices). */
  lockEverywhere?: boolean;
}

interface Waiter {
  device: boolean;
  address: string;
  enqueuedAt: number;
  shed: () => void;
  counters: Counter[];
  start: () => void;
}

const SEP = '\u0000';

export class SignInLimiter {
  private options: SignInLimitOptions;
  private readonly counters = new Map<string, Counter>();
  private readonly waiting: Waiter[] = [];
  private running = 0;
  /** Moving average of one check's duration: the queue's wait estimate and Retry-After. */
  private averageCheckMs: number;
  /** When each address last had a check started (a sequence number), for fair turns. */
  private readonly addressServedAt = new Map<string, number>();
  private servedSeq = 0;
  private measured = false;
  /** Slow checks rest until then (performance.now()), see busyShare. */
  private restUntil = 0;
  private restTimer: NodeJS.Timeout | null = null;

  private get busyShare(): number {
    const share = this.options.concurrency.busyShare;
    return share !== undefined && share > 0 && share < 1 ? share : 1;
  }

  /** One check's time including the rest after it: what the queue's wait estimates use. */
  private get effectiveCheckMs(): number {
    return this.averageCheckMs / this.busyShare;
  }
  /** Attempts refused as overloaded since start (for the bench and logs). */
  overloadedRefusals = 0;

  constructor(options: Partial<SignInLimitOptions> = {}) {
    this.options = { ...defaultSignInLimits, ...options };
    this.averageCheckMs = this.options.expectedCheckMs ?? 300;
  }

  /** Replaces some of the limits (a host's command line, tests); counters are kept. */
  reconfigure(options: Partial<SignInLimitOptions>): void {
    this.options = { ...this.options, ...options };
    if (!this.measured && options.expectedCheckMs !== undefined) this.averageCheckMs = options.expectedCheckMs;
  }

  private get everywhereLimits(): Limits {
    const { perName } = this.options;
    return (
      this.options.perNameEverywhere ?? {
        ...perName,
        slowAfter: perName.slowAfter * 3,
        lockAfter: perName.lockAfter * 3,
      }
    );
  }

  private now(): number {
    return this.options.now();
  }

  /** The live counter of a key (created when asked to), its window applied. */
  private counter(key: string, limits: Limits, create: true): Counter;
  private counter(key: string, limits: Limits, create: false): Counter | undefined;
  private counter(key: string, limits: Limits, create: boolean): Counter | undefined {
    const now = this.now();
    let entry = this.counters.get(key);
    // A lock that has run its time is served: the key starts afresh, as does one whose failures are old.
    const lockServed = entry !== undefined && entry.lockedUntil > 0 && entry.lockedUntil <= now;
    if (entry && (lockServed || (entry.lockedUntil <= now && entry.failures > 0 && now - entry.lastFailureAt > limits.windowMs))) {
      entry.failures = 0;
      entry.lockedUntil = 0;
    }
    if (entry && entry.failures === 0 && entry.pending === 0 && entry.running === 0 && entry.lockedUntil <= now) {
      this.counters.delete(key);
      entry = undefined;
    }
    if (!entry && create) {
      entry = { failures: 0, pending: 0, running: 0, firstFailureAt: now, lastFailureAt: 0, lastAddress: '', lockedUntil: 0 };
      this.counters.set(key, entry);
    }
    return entry;
  }

  private delayOf(entry: Counter, limits: Limits): number {
    const beyond = entry.failures - limits.slowAfter + 1;
    return beyond > 0 ? Math.min(limits.maxDelayMs, beyond * limits.delayMs) : 0;
  }

  /**
   * Asked before a sign-in is checked. Refused when a key is locked, or when the attempts already
   * counted (failed or still being checked) reach the lock; otherwise the attempt is reserved, waits
   * its slow-down and a free check slot, and the caller must settle it.
   */
  async begin(request: SignInRequest): Promise<SignInAttempt | SignInRefusal> {
    const { perName, perAddress } = this.options;
    const everywhere = this.everywhereLimits;
    const now = this.now();
    const device = request.device !== undefined;
    const laneKey = device ? `D${SEP}${request.name}${SEP}${request.device}` : `L${SEP}${request.name}${SEP}${request.address}`;
    const nameKey = `N${SEP}${request.name}`;
    const addressKey = `A${SEP}${request.address}`;
    const lane = this.counter(laneKey, perName, true);
    const name = device ? null : this.counter(nameKey, everywhere, true);
    const address = device ? null : this.counter(addressKey, perAddress, true);
    const heldKeys: [string, Counter][] = [[laneKey, lane]];
    if (name) heldKeys.push([nameKey, name]);
    if (address) heldKeys.push([addressKey, address]);

    if (device) {
      if (lane.pending >= this.options.concurrency.deviceWaiting) {
        this.dropIdle(heldKeys);
        return { refused: true, retryAfterMs: 2000, reason: 'busy' };
      }
    } else {
      const full = (c: Counter, limits: Limits) =>
        c.lockedUntil > now ? c.lockedUntil - now : c.failures + c.pending >= limits.lockAfter ? limits.lockMs : 0;
      const waits = [full(lane, perName), full(address!, perAddress), request.lockEverywhere ? full(name!, everywhere) : 0];
      const retryAfterMs = Math.max(...waits);
      if (retryAfterMs > 0) {
        this.dropIdle(heldKeys);
        return { refused: true, retryAfterMs, reason: 'locked' };
      }
    }

    if (this.queueFull(device, request.address)) {
      this.dropIdle(heldKeys);
      this.overloadedRefusals += 1;
      return { refused: true, retryAfterMs: this.overloadedRetryMs(device), reason: 'overloaded' };
    }

    const held = [lane, name, address].filter((c): c is Counter => c !== null);
    for (const c of held) c.pending += 1;
    this.prune();
    const delayMs = Math.max(this.delayOf(lane, perName), name ? this.delayOf(name, everywhere) : 0, address ? this.delayOf(address, perAddress) : 0);
    if (delayMs > 0) await this.options.sleep(delayMs);
    // The lane (device) or the name (address lanes) and the address each take a running check.
    const slotCounters = device ? [lane] : [name!, address!];
    if (!(await this.slot(device, request.address, slotCounters))) {
      // Waited so long that its caller would give up before the check ended: told to come back.
      for (const c of held) c.pending -= 1;
      this.dropIdle(heldKeys);
      this.overloadedRefusals += 1;
      return { refused: true, retryAfterMs: this.overloadedRetryMs(device), reason: 'overloaded' };
    }
    const startedAt = performance.now();

    let settled = false;
    const settle = (outcome: 'success' | 'failure' | 'abandon'): { locked: 'name' | 'address' | null } => {
      if (settled) return { locked: null };
      settled = true;
      const tookMs = performance.now() - startedAt;
      this.averageCheckMs = this.measured ? 0.8 * this.averageCheckMs + 0.2 * tookMs : tookMs;
      const share = this.busyShare;
      if (share < 1)
        this.restUntil = Math.max(this.restUntil, performance.now() + (tookMs * (1 / share - 1)) / Math.max(1, this.options.concurrency.total));
      this.measured = true;
      for (const c of held) c.pending -= 1;
      for (const c of slotCounters) c.running -= 1;
      this.running -= 1;
      let locked: 'name' | 'address' | null = null;
      if (outcome === 'success') {
        lane.failures = 0;
        lane.lockedUntil = 0;
      } else if (outcome === 'failure') {
        const at = this.now();
        const fail = (c: Counter, limits: Limits, locks: boolean): boolean => {
          if (c.failures === 0) c.firstFailureAt = at;
          c.failures += 1;
          c.lastFailureAt = at;
          c.lastAddress = request.address;
          if (locks && c.failures >= limits.lockAfter && c.lockedUntil <= at) {
            c.lockedUntil = at + limits.lockMs;
            return true;
          }
          return false;
        };
        if (fail(lane, perName, !device)) locked = 'name';
        if (name && fail(name, everywhere, request.lockEverywhere === true)) locked ??= 'name';
        if (address && fail(address, perAddress, true)) locked ??= 'address';
      }
      // A key with nothing left to count goes.
      this.dropIdle(heldKeys);
      this.pump();
      return { locked };
    };
    return {
      refused: false,
      succeeded: () => void settle('success'),
      failed: () => settle('failure'),
      abandon: () => void settle('abandon'),
    };
  }

  /**
   * How long a refused attempt should wait: the time the queue takes to drain at the measured
   * speed, spread by a random share of the same again so refused callers do not all come back at
   * once. At least one second (Retry-After counts whole seconds).
   */
  private overloadedRetryMs(device: boolean): number {
    const { total } = this.options.concurrency;
    const queued = this.waiting.filter((w) => w.device === device).length;
    const drainMs = ((queued + this.running) * this.effectiveCheckMs) / Math.max(1, total);
    return Math.max(1000, Math.round(drainMs * (1 + Math.random())));
  }

  /**
   * Bound devices and everyone else wait in queues of their own; one address may not fill the
   * others'. A queue is full when this attempt would be answered later than maxQueueWaitMs (the
   * checks waiting and running ahead of it, then its own, at the measured time per check), or holds
   * maxWaiting. An empty queue always takes one, and a queue holds two however slow checks are
   * (one address at most all but one of its places), so a burst from one address cannot shut out
   * everyone else; waiters take turns by address (pump) and are shed after maxQueueWaitMs.
   */
  private queueFull(device: boolean, address: string): boolean {
    const { total, maxQueueWaitMs, maxWaiting } = this.options.concurrency;
    let inQueue = 0;
    let fromAddress = 0;
    for (const w of this.waiting) {
      if (w.device !== device) continue;
      inQueue += 1;
      if (w.address === address) fromAddress += 1;
    }
    if (inQueue === 0) return false;
    const slots = Math.max(1, total);
    const capacityByTime =
      maxQueueWaitMs === undefined ? Infinity : Math.floor((maxQueueWaitMs * slots) / Math.max(0.001, this.effectiveCheckMs)) - this.running - 1;
    // At least two places (however slow checks are), so one address never holds the only one.
    const capacity = Math.max(1, Math.min(maxWaiting ?? Infinity, Math.max(2, capacityByTime)));
    if (inQueue >= capacity) return true;
    return !device && fromAddress >= Math.max(1, Math.min(capacity - 1, Math.floor(capacity * 0.75)));
  }

  /** Checks waiting for a slot now. */
  get waitingChecks(): number {
    return this.waiting.length;
  }

  /** Keys with nothing left to count go, so refused or settled attempts of made-up names leave nothing behind. */
  private dropIdle(keys: [string, Counter][]): void {
    const now = this.now();
    for (const [key, c] of keys) {
      if (c.failures === 0 && c.pending === 0 && c.running === 0 && c.lockedUntil <= now && this.counters.get(key) === c) {
        this.counters.delete(key);
      }
    }
  }

  /** Resolves true when the check may start, false when it waited too long and is shed. */
  private slot(device: boolean, address: string, counters: Counter[]): Promise<boolean> {
    return new Promise((resolve) => {
      this.waiting.push({
        device,
        address,
        counters,
        enqueuedAt: this.now(),
        start: () => {
          for (const c of counters) c.running += 1;
          this.running += 1;
          resolve(true);
        },
        shed: () => resolve(false),
      });
      this.pump();
    });
  }

  private canStart(waiter: Waiter): boolean {
    const { concurrency } = this.options;
    if (this.running >= concurrency.total) return false;
    if (waiter.device) return waiter.counters[0]!.running < 1;
    const [name, address] = waiter.counters as [Counter, Counter];
    return name.running < concurrency.perName && address.running < concurrency.perAddress;
  }

  /**
   * Starts waiting checks while slots are free: bound devices first, then the address served least
   * recently (in arrival order within an address), so a burst from one address cannot make
   * everyone else wait behind all of it.
   */
  private pump(): void {
    // A check that would end later than maxQueueWaitMs after its call arrived (waited so far plus
    // the measured time of a check) risks its caller's timeout: shed it (503 + Retry-After) instead
    // of spending a slot on an answer no one may read.
    const { maxQueueWaitMs } = this.options.concurrency;
    if (maxQueueWaitMs !== undefined && this.running < this.options.concurrency.total) {
      const now = this.now();
      for (let i = 0; i < this.waiting.length;) {
        const waiter = this.waiting[i]!;
        if (now - waiter.enqueuedAt + this.effectiveCheckMs > maxQueueWaitMs) {
          this.waiting.splice(i, 1);
          waiter.shed();
        } else {
          i += 1;
        }
      }
    }
    const restMs = this.restUntil - performance.now();
    if (restMs > 0 && this.waiting.length > 0) {
      this.restTimer ??= setTimeout(() => {
        this.restTimer = null;
        this.pump();
      }, Math.ceil(restMs));
      this.restTimer.unref?.();
      return;
    }
    while (this.waiting.length > 0 && this.running < this.options.concurrency.total) {
      let chosen = -1;
      let chosenServedAt = Infinity;
      for (let i = 0; i < this.waiting.length; i += 1) {
        const waiter = this.waiting[i]!;
        if (!this.canStart(waiter)) continue;
        if (waiter.device) {
          chosen = i;
          break;
        }
        const servedAt = this.addressServedAt.get(waiter.address) ?? -1;
        if (servedAt < chosenServedAt) {
          chosen = i;
          chosenServedAt = servedAt;
        }
      }
      if (chosen < 0) return;
      const [waiter] = this.waiting.splice(chosen, 1);
      if (!waiter!.device) {
        if (this.addressServedAt.size >= this.options.maxTrackedKeys) this.addressServedAt.clear();
        this.addressServedAt.delete(waiter!.address);
        this.addressServedAt.set(waiter!.address, (this.servedSeq += 1));
      }
      waiter!.start();
    }
  }

  /** Recent failures of one name (every lane), for the administrator's window. */
  summary(nameKey: string): FailureSummary {
    const now = this.now();
    const everywhere = this.counter(`N${SEP}${nameKey}`, this.everywhereLimits, false);
    let lockedUntil = everywhere && everywhere.lockedUntil > now ? everywhere.lockedUntil : 0;
    let deviceFailures = 0;
    let last: Counter | undefined = everywhere;
    for (const [key, entry] of this.counters) {
      const [kind, name] = key.split(SEP);
      if (name !== nameKey || (kind !== 'L' && kind !== 'D')) continue;
      if (entry.lockedUntil > now) lockedUntil = Math.max(lockedUntil, entry.lockedUntil);
      if (kind === 'D' && now - entry.lastFailureAt <= this.options.perName.windowMs) {
        deviceFailures += entry.failures;
        if (!last || entry.lastFailureAt > last.lastFailureAt) last = entry;
      }
    }
    const failures = (everywhere?.failures ?? 0) + deviceFailures;
    return {
      name: nameKey,
      failures,
      lastAddress: failures > 0 && last ? last.lastAddress : null,
      lastFailureAt: failures > 0 && last ? new Date(last.lastFailureAt).toISOString() : null,
      lockedUntil: lockedUntil > 0 ? new Date(lockedUntil).toISOString() : null,
    };
  }

  /** Every name with recent failures or a lock, most recent first. */
  summaries(): FailureSummary[] {
    const names = new Set<string>();
    for (const key of this.counters.keys()) {
      const [kind, name] = key.split(SEP);
      if (kind !== 'A' && name !== undefined) names.add(name);
    }
    return [...names]
      .map((name) => this.summary(name))
      .filter((s) => s.failures > 0 || s.lockedUntil !== null)
      .sort((a, b) => (b.lastFailureAt ?? '').localeCompare(a.lastFailureAt ?? ''));
  }

  /**
   * An administrator clears a name: its failures and locks on every lane are forgotten. Attempts
   * being checked right now stay counted until they finish. Address counters are not touched: they
   * belong to the machine that tried, not to the name.
   */
  clear(nameKey: string): void {
    for (const [key, entry] of [...this.counters]) {
      const [kind, name] = key.split(SEP);
      if (kind === 'A' || name !== nameKey) continue;
      entry.failures = 0;
      entry.lockedUntil = 0;
      if (entry.pending === 0 && entry.running === 0) this.counters.delete(key);
    }
  }

  private prune(): void {
    const max = this.options.maxTrackedKeys;
    if (this.counters.size <= max) return;
    const idle = (c: Counter) => c.pending === 0 && c.running === 0;
    const now = this.now();
    for (const [key, c] of this.counters) {
      if (this.counters.size <= max) return;
      if (idle(c) && c.lockedUntil <= now && now - c.lastFailureAt > this.options.perName.windowMs) this.counters.delete(key);
    }
    // Still full of live entries: drop the oldest idle ones (Map keeps insertion order).
    for (const [key, c] of this.counters) {
      if (this.counters.size <= max) return;
      if (idle(c)) this.counters.delete(key);
    }
  }
}

/** "Try again in N minute(s)": how a refusal is put to a person. */
export function retryInWords(retryAfterMs: number): string {
  if (retryAfterMs < 60_000) return `Try again in ${Math.max(1, Math.ceil(retryAfterMs / 1000))} second(s).`;
  return `Try again in ${Math.ceil(retryAfterMs / 60_000)} minute(s).`;
}
