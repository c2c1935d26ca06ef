/**
 * What the central's kept answers rest on (main/sync/central/datafile-changes.ts): a change this
 * server's connection commits gives a new generation at once, in the same turn of the event loop;
 * a commit by another connection (another program on the file) from the next turn on. Both are
 * also checked end to end over HTTP in site-answer-cache.test.ts.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { openDatafile } from '../../../db/datafile';
import { DatafileChanges } from '../../../main/sync/central/datafile-changes';
import { tempDir } from '../../helpers/core';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

it('moves at once for this connection’s changes, and from the next turn for another connection’s', async () => {
  const file = path.join(tempDir('datafile-changes-'), 'central.sqlite');
  const datafile = openDatafile(file, { create: true });
  const other = new Database(file);
  try {
    const changes = new DatafileChanges(datafile.sqlite);
    const first = changes.generation();
    expect(changes.generation()).toBe(first);

    // This connection: seen by the very next read, without waiting for a turn.
    datafile.sqlite.prepare("insert into setting (key, value) values ('probe', '1')").run();
    const afterOwn = changes.generation();
    expect(afterOwn).toBeGreaterThan(first);
    expect(changes.lastRead).toBe(afterOwn);

    // Another connection: from the next turn on (this one may already have read its counter).
    other.prepare("update setting set value = '2' where key = 'probe'").run();
    await nextTurn();
    const afterOther = changes.generation();
    expect(afterOther).toBeGreaterThan(afterOwn);

    // Nothing committed since: the same generation, turn after turn.
    await nextTurn();
    expect(changes.generation()).toBe(afterOther);
    // A write that changed no row changes nothing kept.
    other.prepare("update setting set value = '3' where key = 'no such key'").run();
    await nextTurn();
    expect(changes.generation()).toBe(afterOther);
  } finally {
    other.close();
    datafile.sqlite.close();
  }
});
