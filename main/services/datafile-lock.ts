/**
 * One program at a time per datafile. SQLite itself would let two programs write the same file, but
 * two copies of the app would each keep their own view of who is logged in and which site is active,
 * so the second one is refused in words. The lock is a file beside the datafile (`<datafile>.lock`)
 * holding the owner's pid and host name; a lock left behind by a program that crashed (its pid is
 * no longer running on this computer) is taken over.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppFailure } from '../../shared/errors';

export interface DatafileLock {
  readonly lockFile: string;
  /** Removes the lock file, if it is still ours. Safe to call more than once. */
  release(): void;
}

export interface LockOptions {
  /** The pid written into the lock; the current process by default. */
  pid?: number;
  /** What holds the datafile, named to whoever is refused (e.g. "the central server (npm run server)"). */
  program?: string;
  host?: string;
  /** Whether a pid is running on this computer; replaceable in tests. */
  isRunning?: (pid: number) => boolean;
  /**
   * A lock file that cannot be read as a pid is normally one being written right now; after this
   * long it is treated as left behind.
   */
  unreadableStaleAfterMs?: number;
}

interface LockOwner {
  pid: number;
  host: string;
  program: string;
}

export function lockFileOf(datafile: string): string {
  return `${datafile}.lock`;
}

export function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else, so it is running.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseOwner(text: string): LockOwner | null {
  const [pidLine = '', host = '', program = ''] = text.split('\n').map((line) => line.trim());
  const pid = Number(pidLine);
  return Number.isSafeInteger(pid) && pid > 0 ? { pid, host, program } : null;
}

function readOrNull(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function inUse(datafile: string, owner: LockOwner | null, thisHost: string): AppFailure {
  const program = owner?.program || 'another copy of this app';
  const where =
    owner && owner.host && owner.host !== thisHost
      ? ` It is open in ${program} on the computer "${owner.host}" (process ${owner.pid}).`
      : owner
        ? ` It is open in ${program} (process ${owner.pid} on this computer).`
        : '';
  return new AppFailure(
    'datafile_in_use',
    `This datafile is already open in another window or program: ${datafile}.${where} Close it there first, then try again.`,
  );
}

/**
 * Takes the lock of `datafile`, or throws the 'datafile_in_use' AppFailure. Creating the lock file
 * with O_EXCL makes two programs starting at the same moment race safely: exactly one wins.
 */
export function acquireDatafileLock(datafile: string, options: LockOptions = {}): DatafileLock {
  const lockFile = lockFileOf(datafile);
  const pid = options.pid ?? process.pid;
  const host = options.host ?? os.hostname();
  const isRunning = options.isRunning ?? isProcessRunning;
  const unreadableStaleAfterMs = options.unreadableStaleAfterMs ?? 10_000;
  // A third line names the program; older versions read only the first two.
  const program = options.program?.replace(/\s+/g, ' ').trim();
  const content = program ? `${pid}\n${host}\n${program}\n` : `${pid}\n${host}\n`;

  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = fs.openSync(lockFile, 'wx', 0o644);
      try {
        fs.writeSync(fd, content);
      } finally {
        fs.closeSync(fd);
      }
      return ownedLock(lockFile, content);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }

    const found = readOrNull(lockFile);
    if (found === null) continue; // released between our attempt and the read
    const owner = parseOwner(found);
    if (!isStale(lockFile, owner, { pid, host, isRunning, unreadableStaleAfterMs })) {
      throw inUse(datafile, owner, host);
    }
    if (!takeOverStale(lockFile, found, pid)) throw inUse(datafile, owner, host);
  }
  throw inUse(datafile, null, host);
}

function isStale(
  lockFile: string,
  owner: LockOwner | null,
  me: { pid: number; host: string; isRunning: (pid: number) => boolean; unreadableStaleAfterMs: number },
): boolean {
  if (!owner) {
    const age = Date.now() - (fs.statSync(lockFile, { throwIfNoEntry: false })?.mtimeMs ?? 0);
    return age > me.unreadableStaleAfterMs;
  }
  // A pid on another computer (a datafile on a shared folder) cannot be checked from here.
  if (owner.host && owner.host !== me.host) return false;
  // Our own pid means this program already has the datafile open (a second window of it).
  if (owner.pid === me.pid) return false;
  return !me.isRunning(owner.pid);
}

/**
 * Moves the stale lock aside by renaming it (atomic), then checks that what was moved is the stale
 * lock that was judged: if another program replaced it in between, its fresh lock is put back.
 */
function takeOverStale(lockFile: string, judged: string, pid: number): boolean {
  const aside = `${lockFile}.stale-${pid}-${Date.now()}`;
  try {
    fs.renameSync(lockFile, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
  const moved = readOrNull(aside);
  if (moved !== judged) {
    try {
      fs.linkSync(aside, lockFile); // never overwrites a lock created meanwhile
    } catch {
      // Someone holds a newer lock already; theirs stands.
    }
    fs.rmSync(aside, { force: true });
    return false;
  }
  fs.rmSync(aside, { force: true });
  return true;
}

function ownedLock(lockFile: string, content: string): DatafileLock {
  let released = false;
  return {
    lockFile,
    release() {
      if (released) return;
      released = true;
      // Only remove the lock while it is still ours: after a takeover it may belong to someone else.
      if (readOrNull(lockFile) === content) fs.rmSync(lockFile, { force: true });
    },
  };
}

/** One spelling per file, so the same datafile always gets the same lock. */
export function canonicalPath(file: string): string {
  const absolute = path.resolve(file);
  try {
    return fs.realpathSync.native(absolute);
  } catch {
    try {
      return path.join(fs.realpathSync.native(path.dirname(absolute)), path.basename(absolute));
    } catch {
      return absolute;
    }
  }
}
