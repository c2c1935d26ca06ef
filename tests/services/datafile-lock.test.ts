import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { acquireDatafileLock, lockFileOf } from '../../main/services/datafile-lock';
import { AppFailure } from '../../shared/errors';
import { tempDir } from '../helpers/core';

function refusal(fn: () => unknown): AppFailure {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppFailure);
    return error as AppFailure;
  }
  throw new Error('expected the lock to be refused');
}

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid!;
}

describe('the datafile lock', () => {
  let datafile: string;
  beforeEach(() => {
    datafile = path.join(tempDir('lock-'), 'datafile.sqlite');
  });

  it('refuses a second open of the same datafile in words, and allows it again once released', () => {
    const first = acquireDatafileLock(datafile);
    expect(fs.readFileSync(lockFileOf(datafile), 'utf8').split('\n')[0]).toBe(String(process.pid));

    const error = refusal(() => acquireDatafileLock(datafile));
    expect(error.error.code).toBe('datafile_in_use');
    expect(error.error.message).toContain('already open in another window or program');
    expect(error.error.message).toContain(datafile);

    first.release();
    expect(fs.existsSync(lockFileOf(datafile))).toBe(false);
    acquireDatafileLock(datafile).release();
  });

  describe('held by another program on this computer', () => {
    let holder: ChildProcess;
    beforeEach(async () => {
      holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
      await new Promise((resolve) => holder.once('spawn', resolve));
      fs.writeFileSync(lockFileOf(datafile), `${holder.pid}\n${os.hostname()}\n`);
    });
    afterEach(() => {
      if (holder.exitCode === null) holder.kill();
    });

    it('is refused while that program runs, and taken over once it has died', async () => {
      expect(refusal(() => acquireDatafileLock(datafile)).error.code).toBe('datafile_in_use');

      holder.kill();
      await new Promise((resolve) => holder.once('exit', resolve));

      const lock = acquireDatafileLock(datafile);
      expect(fs.readFileSync(lockFileOf(datafile), 'utf8').split('\n')[0]).toBe(String(process.pid));
      lock.release();
    });
  });

  it('takes over a stale lock left by a program that crashed', () => {
    fs.writeFileSync(lockFileOf(datafile), `${deadPid()}\n${os.hostname()}\n`);
    const lock = acquireDatafileLock(datafile);
    expect(fs.readFileSync(lockFileOf(datafile), 'utf8')).toBe(`${process.pid}\n${os.hostname()}\n`);
    lock.release();
    // Nothing is left behind from the takeover.
    expect(fs.readdirSync(path.dirname(datafile))).toEqual([]);
  });

  it('refuses a lock held on another computer, which it cannot check, and names that computer', () => {
    fs.writeFileSync(lockFileOf(datafile), `${deadPid()}\nPHARMACY-PC\n`);
    const error = refusal(() => acquireDatafileLock(datafile));
    expect(error.error.code).toBe('datafile_in_use');
    expect(error.error.message).toContain('PHARMACY-PC');
  });

  it('treats a lock being written right now as held, and an old unreadable one as left behind', () => {
    fs.writeFileSync(lockFileOf(datafile), '');
    expect(refusal(() => acquireDatafileLock(datafile)).error.code).toBe('datafile_in_use');

    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lockFileOf(datafile), old, old);
    acquireDatafileLock(datafile).release();
  });

  it('does not remove a lock that another program has taken over since', () => {
    const mine = acquireDatafileLock(datafile, { pid: 111, isRunning: () => false });
    // Another program decides pid 111 is dead and takes the lock over.
    const theirs = acquireDatafileLock(datafile, { pid: 222, isRunning: () => false });
    mine.release();
    expect(fs.readFileSync(lockFileOf(datafile), 'utf8').split('\n')[0]).toBe('222');
    theirs.release();
    expect(fs.existsSync(lockFileOf(datafile))).toBe(false);
  });
});
