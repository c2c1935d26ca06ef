/**
 * Issue 10, finding 10 (first item): refusing a datafile that is not ours, or is from a newer
 * version, leaves nothing beside it: no -wal or -shm file (a read-only look at a WAL-mode file
 * makes SQLite create them).
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openDatafile } from '../../db/datafile';
import { AppFailure } from '../../shared/errors';
import { tempDir } from '../helpers/core';

const siblings = (file: string) =>
  fs
    .readdirSync(path.dirname(file))
    .filter((name) => name !== path.basename(file))
    .sort();

function refusal(file: string): string {
  try {
    openDatafile(file);
  } catch (error) {
    expect(error).toBeInstanceOf(AppFailure);
    return (error as AppFailure).error.code;
  }
  throw new Error('the datafile was opened');
}

it('a datafile from a newer version (in WAL mode) is refused without -wal or -shm files left beside it', () => {
  const file = path.join(tempDir('newer-'), 'newer.sqlite');
  openDatafile(file, { create: true }).close();
  const raw = new Database(file);
  raw.pragma('user_version = 999');
  raw.close();
  expect(siblings(file)).toEqual([]);
  const before = fs.readFileSync(file);

  expect(refusal(file)).toBe('datafile_too_new');
  expect(siblings(file)).toEqual([]);
  expect(fs.readFileSync(file).equals(before)).toBe(true);
});

it("another program's SQLite file in WAL mode is refused without -wal or -shm files left beside it", () => {
  const file = path.join(tempDir('foreign-'), 'other.sqlite');
  const raw = new Database(file);
  raw.pragma('journal_mode = WAL');
  raw.exec("create table notes (id integer primary key, text text); insert into notes (text) values ('hello')");
  raw.close();
  expect(siblings(file)).toEqual([]);

  expect(refusal(file)).toBe('datafile_not_ours');
  expect(siblings(file)).toEqual([]);
});

it('files that were there before are left alone', () => {
  const file = path.join(tempDir('foreign-'), 'other.sqlite');
  const raw = new Database(file);
  raw.pragma('journal_mode = WAL');
  raw.exec('create table notes (id integer primary key)');
  // Another program still has it open: its -wal and -shm stay.
  try {
    expect(refusal(file)).toBe('datafile_not_ours');
    expect(siblings(file)).toEqual(['other.sqlite-shm', 'other.sqlite-wal']);
  } finally {
    raw.close();
  }
});
