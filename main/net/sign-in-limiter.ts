/**
 * Slows down, then refuses, password guessing: against the sync API (the name is a site name) and
 * against administrators' logins (a user name). Failures are counted per name (someone guessing
 * one password from many addresses) and per client address (one machine trying many names).
 * Counters live in memory: a restart forgets them, which only gives a guesser a fresh allowance of
 * a few attempts.
 */

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

export interface SignInLimitOptions {
  perName: FailureLimits;
  /**
   * Set higher than per name: many remote sites can share one address behind a NAT, and one
   * site with an old password must not lock the others out for long.
   */
  perAddress: FailureLimits;
  /** Bound on remembered keys, so made-up names cannot grow memory without end. */
  maxTrackedKeys: number;
  now: () => number;
}

const minute = 60_000;

export const defaultSignInLimits: SignInLimitOptions = {
  perName: { slowAfter: 3, delayMs: 250, maxDelayMs: 2000, lockAfter: 10, lockMs: 15 * minute, windowMs: 15 * minute },
  perAddress: { slowAfter: 10, delayMs: 100, maxDelayMs: 2000, lockAfter: 50, lockMs: 15 * minute, windowMs: 15 * minute },
  maxTrackedKeys: 10_000,
  now: () => Date.now(),
};

interface Entry {
  failures: number;
  firstFailureAt: number;
  lockedUntil: number;
}

class FailureTracker {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly limits: FailureLimits,
    private readonly maxKeys: number,
    private readonly now: () => number,
  ) {}

  private current(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    const now = this.now();
    if (entry.lockedUntil <= now && now - entry.firstFailureAt > this.limits.windowMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Milliseconds the key stays refused (0 when not locked) and how long to delay its next attempt. */
  status(key: string): { lockedMs: number; delayMs: number } {
    const entry = this.current(key);
    if (!entry) return { lockedMs: 0, delayMs: 0 };
    const lockedMs = Math.max(0, entry.lockedUntil - this.now());
    const beyond = entry.failures - this.limits.slowAfter + 1;
    const delayMs = beyond > 0 ? Math.min(this.limits.maxDelayMs, beyond * this.limits.delayMs) : 0;
    return { lockedMs, delayMs };
  }

  /** Counts a failure; true when this failure locked the key. */
  fail(key: string): boolean {
    const now = this.now();
    let entry = this.current(key);
    if (!entry) {
      entry = { failures: 0, firstFailureAt: now, lockedUntil: 0 };
      this.entries.set(key, entry);
      this.prune();
    }
    entry.failures += 1;
    if (entry.failures >= this.limits.lockAfter && entry.lockedUntil <= now) {
      entry.lockedUntil = now + this.limits.lockMs;
      return true;
    }
    return false;
  }

  forget(key: string): void {
    this.entries.delete(key);
  }

  private prune(): void {
    if (this.entries.size <= this.maxKeys) return;
    for (const key of [...this.entries.keys()]) {
      this.current(key);
      if (this.entries.size <= this.maxKeys) return;
    }
    // Still full of live entries: drop the oldest (Map keeps insertion order).
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.maxKeys) return;
      this.entries.delete(key);
    }
  }
}

export type SignInGate = { refused: true; retryAfterMs: number } | { refused: false; delayMs: number };

export class SignInLimiter {
  private readonly byName: FailureTracker;
  private readonly byAddress: FailureTracker;

  constructor(options: Partial<SignInLimitOptions> = {}) {
    const o = { ...defaultSignInLimits, ...options };
    this.byName = new FailureTracker(o.perName, o.maxTrackedKeys, o.now);
    this.byAddress = new FailureTracker(o.perAddress, o.maxTrackedKeys, o.now);
  }

  /** Asked before a sign-in is checked: a locked name or address is refused without checking. */
  gate(nameKey: string, address: string): SignInGate {
    const name = this.byName.status(nameKey);
    const addr = this.byAddress.status(address);
    const lockedMs = Math.max(name.lockedMs, addr.lockedMs);
    if (lockedMs > 0) return { refused: true, retryAfterMs: lockedMs };
    return { refused: false, delayMs: Math.max(name.delayMs, addr.delayMs) };
  }

  /** Counts a failed sign-in. Returns what got locked by it, for the log. */
  failed(nameKey: string, address: string): { nameLocked: boolean; addressLocked: boolean } {
    return { nameLocked: this.byName.fail(nameKey), addressLocked: this.byAddress.fail(address) };
  }

  /**
   * A correct password clears the name's count. The address keeps its count (it fades with the
   * window): otherwise one known site's password would let a guesser reset it between guesses.
   */
  succeeded(nameKey: string): void {
    this.byName.forget(nameKey);
  }
}
