/**
 * Logins of browser workstations. The cookie holds only a random token; what it stands for (which
 * user) stays here. A session ends at logout or after a period without calls.
 */
import { randomBytes } from 'node:crypto';
import type { ApiSession } from '../api/core-api';

interface Entry {
  session: ApiSession;
  lastSeen: number;
}

export interface SessionStoreOptions {
  /** A session unused for this long is over (default 30 minutes). */
  idleMs?: number;
  now?: () => number;
  /** Bound on open sessions; the least recently used go first. */
  maxSessions?: number;
}

export class SessionStore {
  private readonly sessions = new Map<string, Entry>();
  private readonly idleMs: number;
  private readonly now: () => number;
  private readonly maxSessions: number;

  constructor(options: SessionStoreOptions = {}) {
    this.idleMs = options.idleMs ?? 30 * 60_000;
    this.now = options.now ?? (() => Date.now());
    this.maxSessions = options.maxSessions ?? 10_000;
  }

  /** The session behind a token, if it is still alive; touching it extends it. */
  find(token: string | undefined): ApiSession | undefined {
    if (!token) return undefined;
    const entry = this.sessions.get(token);
    if (!entry) return undefined;
    const now = this.now();
    if (now - entry.lastSeen > this.idleMs) {
      this.sessions.delete(token);
      return undefined;
    }
    entry.lastSeen = now;
    // Re-insert so the map stays ordered by last use (oldest first) for eviction.
    this.sessions.delete(token);
    this.sessions.set(token, entry);
    return entry.session;
  }

  /** Starts a session for a user who just logged in; a fresh token each time (no fixation). */
  create(userId: number): string {
    const token = randomBytes(32).toString('base64url');
    this.sessions.set(token, { session: { userId }, lastSeen: this.now() });
    while (this.sessions.size > this.maxSessions) {
      const oldest = this.sessions.keys().next().value as string;
      this.sessions.delete(oldest);
    }
    return token;
  }

  end(token: string | undefined): void {
    if (token) this.sessions.delete(token);
  }

  get size(): number {
    return this.sessions.size;
  }
}
