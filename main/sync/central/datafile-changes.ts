/**
 * Whether the datafile may have changed: what lets the central keep per-call answers (a site's row,
 * its `GET site` answer, the central-role flag) in memory without ever serving one that is out of
 * date. `generation()` reads, in one statement, `total_changes()` (rows written by this connection,
 * triggers included) and `PRAGMA data_version` (moves when any other connection commits: another
 * process on the same file, a backup restored by another program); if either moved since the last
 * read the generation is a new number. Anything kept under an older generation is read again.
 *
 * A change that moves neither (a write that changed no row) changes no row, so nothing kept is out
 * of date. Writes that only roll back also move the count: at worst an extra read, never a stale one.
 */
import type { Datafile } from '../../../db/datafile';

export class DatafileChanges {
  private readonly stamp;
  private ownChanges = -1;
  private dataVersion = -1;
  private current = 0;

  constructor(sqlite: Datafile['sqlite']) {
    this.stamp = sqlite.prepare('select total_changes(), data_version from pragma_data_version').raw();
  }

  /** The generation now (reads the datafile's counters): a new number after any committed change. */
  generation(): number {
    const [own, other] = this.stamp.get() as [number, number];
    if (own !== this.ownChanges || other !== this.dataVersion) {
      this.ownChanges = own;
      this.dataVersion = other;
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
