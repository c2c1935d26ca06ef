/**
 * Checkpoints held back while a sync run writes, and done once it has ended.
 *
 * In WAL mode a commit that finds the WAL over `wal_autocheckpoint` pages (1,000, 4 MB) copies the
 * WAL into the datafile and syncs it (a checkpoint) before it returns, on the thread that commits.
 * A pull writes about that much per batch of 10,000 lines, so nearly every batch's commit also
 * copied the batches before it, while the site waited: holding them back made initialising a
 * remote a quarter to a third faster (docs/benchmark-history.md).
 *
 * While held, the WAL may grow to `pages` (64 MB by default; a run that writes more still
 * checkpoints each time it passes that). Once the run has ended the usual limit is back and one
 * checkpoint follows, as soon as the thread is free. Durability does not change (each commit
 * still syncs the WAL), nor what anyone reads: pages in the WAL are read from there.
 */
import { setImmediate } from 'node:timers';
import type Database from 'better-sqlite3';

/** WAL pages a run may leave before a checkpoint: 64 MB of 4 KB pages. */
export const RUN_WAL_PAGES = 16_384;

/** Holds checkpoints back; the function returned lets them go (once) and checkpoints soon after. */
export function holdCheckpoints(sqlite: Database.Database, pages = RUN_WAL_PAGES): () => void {
  const usual = sqlite.pragma('wal_autocheckpoint', { simple: true }) as number;
  // 0 or less: automatic checkpoints are off on this connection, and stay so.
  if (usual > 0 && usual < pages) sqlite.pragma(`wal_autocheckpoint = ${pages}`);
  let released = false;
  return () => {
    if (released || !sqlite.open) return;
    released = true;
    sqlite.pragma(`wal_autocheckpoint = ${usual}`);
    setImmediate(() => {
      try {
        // PASSIVE: never waits for a reader or a writer; what it cannot copy now, a later checkpoint will.
        if (sqlite.open) sqlite.pragma('wal_checkpoint(PASSIVE)');
      } catch {
        // The datafile closed meanwhile, or is busy elsewhere: the next commit's own checkpoint does it.
      }
    });
  };
}
