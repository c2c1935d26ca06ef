/**
 * Who is syncing which site, on the central. HTTP is stateless, so a "run" is recognised by the
 * `msupply-sync-run: <instance>/<run>` header our remote sends on every call of one run:
 *
 * - The first data call of a run leases the site to that run. A data call from another run while
 *   the lease is live answers 503 sync_is_running, and site_status says sync_is_running to it.
 * - The lease ends when the run's pull finds the queue empty (its last call), or lapses `leaseMs`
 *   after the run's last call (a run whose process died).
 * - A new run from the same instance (the same remote datafile, which runs one sync at a time)
 *   takes the lease over at once: the old run is known to be dead, so a remote restarted after a
 *   crash does not wait for the lapse. A run from another instance (a second datafile syncing as
 *   the same site) is the concurrent run the lease exists to stop.
 * - Calls without the header (other remote software) count as one anonymous instance per device.
 *
 * Initialisation and integration run in the background for a site; while they do, data calls
 * answer 503 with their code and site_status reports it.
 */
import type { SiteStatusCode } from '../protocol';

export type BackgroundWork = 'initialisation_in_progress' | 'integration_in_progress';

interface Lease {
  instance: string;
  run: string;
  lastSeen: number;
}

export interface RunIdentity {
  instance: string;
  run: string;
}

/** Reads `msupply-sync-run`; falls back to one anonymous run per device. */
export function runIdentity(header: string | string[] | undefined, hardwareId: string): RunIdentity {
  const value = (Array.isArray(header) ? header[0] : header)?.trim() ?? '';
  const match = /^([A-Za-z0-9-]{1,64})\/([A-Za-z0-9-]{1,64})$/.exec(value);
  if (match) return { instance: match[1]!, run: match[2]! };
  return { instance: `anonymous:${hardwareId}`, run: 'anonymous' };
}

export class SiteRunLeases {
  private readonly leases = new Map<number, Lease>();
  private readonly work = new Map<number, BackgroundWork>();

  constructor(
    private readonly leaseMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  private live(siteId: number): Lease | undefined {
    const lease = this.leases.get(siteId);
    if (lease && this.now() - lease.lastSeen > this.leaseMs) {
      this.leases.delete(siteId);
      return undefined;
    }
    return lease;
  }

  /** Takes or renews the lease for this run; returns the reason it cannot, or null. */
  acquire(siteId: number, who: RunIdentity): SiteStatusCode | null {
    const background = this.work.get(siteId);
    if (background) return background;
    const lease = this.live(siteId);
    if (lease && lease.instance !== who.instance) return 'sync_is_running';
    this.leases.set(siteId, { instance: who.instance, run: who.run, lastSeen: this.now() });
    return null;
  }

  release(siteId: number, who: RunIdentity): void {
    const lease = this.leases.get(siteId);
    if (lease && lease.instance === who.instance && lease.run === who.run) this.leases.delete(siteId);
  }

  status(siteId: number, who: RunIdentity): SiteStatusCode {
    const background = this.work.get(siteId);
    if (background) return background;
    const lease = this.live(siteId);
    return lease && lease.instance !== who.instance ? 'sync_is_running' : 'idle';
  }

  busyWith(siteId: number): BackgroundWork | undefined {
    return this.work.get(siteId);
  }

  /** Marks background work; false when the site already has some. */
  begin(siteId: number, work: BackgroundWork): boolean {
    if (this.work.has(siteId)) return false;
    this.work.set(siteId, work);
    return true;
  }

  end(siteId: number, work: BackgroundWork): void {
    if (this.work.get(siteId) === work) this.work.delete(siteId);
  }
}
