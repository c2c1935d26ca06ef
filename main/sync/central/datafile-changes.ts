/**
 * Whether the datafile may have changed: what lets the central keep per-call answers (a site's row,
 * its `GET site` answer, the central-role flag) in memory without serving one that is out of date.
 * `generation()` reads two counters, and if either moved since the last read the generation is a
 * new number; anything kept under an older generation is read again:
 *
 * - `total_changes()`: rows written by this connection (triggers included). Read on every call, so
 *   a change this server made is seen by the very next call, in the same turn of the event loop.
 * - `PRAGMA data_version`: moves when any other connection commits (another process on the same
 *   file, a backup restored by another program). Reading it starts a read transaction, whose
 *   shared-memory locks cost more than the rest of a warm `GET site` together, so it is read once
 *   per turn of the event loop: the calls that arrive together share the read, and a commit by
 *   another program is seen from the next turn (well under a millisecond later on an idle server).
 *   The central holds the datafile's lock file, so normally no other program writes to it at all.
 *
 * A change that moves neither (a write that changed no row) changes no row, so nothing kept is out
 * of date. Writes that only roll back also move the count: at worst an extra read, never a stale one.
 */
import { setImmediate } from 'node:timers';
import type { Datafile } from '../../../db/datafile';

export class DatafileChanges {
  private readonly ownChanges;
  private readonly dataVersion;
  private lastOwn = -1;
  private lastOther = -1;
  /** Whether data_version was read in this turn of the event loop. */
  private otherReadThisTurn = false;
  private current = 0;

  constructor(sqlite: Datafile['sqlite']) {
    this.ownChanges = sqlite.prepare('select total_changes()').pluck();
    this.dataVersion = sqlite.prepare('pragma data_version').pluck();
  }

  /** The generation now (reads the datafile's counters): a new number after any committed change. */
  generation(): number {
    const own = this.ownChanges.get() as number;
    let other = this.lastOther;
    if (!this.otherReadThisTurn) {
      other = this.dataVersion.get() as number;
      this.otherReadThisTurn = true;
      setImmediate(() => (this.otherReadThisTurn = false)).unref();
    }
    if (own !== this.lastOwn || other !== this.lastOther) {
      this.lastOwn = own;
      this.lastOther = other;
      this.current += 1;
    }
    return this.current;
  }

  /**
   * The generation as last read, without reading: for a value kept by the same call that read it
   * (the site a call authenticated as, and that call's answer), nothing newer than that read.
   */
  get lastRead(): number {
    return this.current;
  }
}
