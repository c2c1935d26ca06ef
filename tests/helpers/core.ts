import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Core, openCore } from '../../main/core';
import { type Actor, EDIT_SYNC_SETTINGS } from '../../main/services/actor';
import { PasswordHasher } from '../../main/services/passwords';

/** Cheap scrypt parameters for tests that are not about hashing cost. The stored format is the same. */
export const fastHasher = new PasswordHasher({ N: 2 ** 10, r: 8, p: 1, keyLength: 32 });

export const ADMIN = { userName: 'admin', password: 'correct horse battery' };

export function tempDir(prefix = 'sync-sites-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function newCore(options: { demo?: boolean; file?: string } = {}): Promise<Core> {
  const file = options.file ?? path.join(tempDir(), 'datafile.sqlite');
  return openCore(file, { create: true, hasher: fastHasher, setup: { admin: ADMIN, demo: options.demo } });
}

export async function adminOf(core: Core): Promise<Actor> {
  return core.users.authenticate(ADMIN.userName, ADMIN.password);
}

export async function viewerOf(core: Core): Promise<Actor> {
  const admin = await adminOf(core);
  return core.users.createUser(admin, { name: 'viewer', password: 'just looking 123', permissions: [] });
}

export async function secondAdminOf(core: Core): Promise<Actor> {
  const admin = await adminOf(core);
  return core.users.createUser(admin, { name: 'admin2', password: 'another admin 123', permissions: [EDIT_SYNC_SETTINGS] });
}

/** Every row of every table, in a stable order: equal dumps mean equal content. */
export function dumpContent(core: Core): string {
  const tables = core.datafile.sqlite
    .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name")
    .all() as { name: string }[];
  const dump: Record<string, unknown[]> = {};
  for (const { name } of tables) {
    // A table without a rowid (store_record) in the order of its primary key.
    const key = (core.datafile.sqlite.pragma(`table_xinfo("${name}")`) as { name: string; pk: number }[])
      .filter((column) => column.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((column) => `"${column.name}"`);
    const withoutRowid = /without\s+rowid\s*$/i.test(
      core.datafile.sqlite.prepare("select sql from sqlite_master where type = 'table' and name = ?").pluck().get(name) as string,
    );
    dump[name] = core.datafile.sqlite.prepare(`select * from "${name}" order by ${withoutRowid ? key.join(', ') : 'rowid'}`).all();
  }
  return JSON.stringify(dump);
}

export function storeIdByCode(core: Core, code: string): number {
  const row = core.datafile.sqlite.prepare('select id from store where code = ?').get(code) as { id: number } | undefined;
  if (!row) throw new Error(`no store ${code}`);
  return row.id;
}

export function siteOfStore(core: Core, code: string): number {
  return (core.datafile.sqlite.prepare('select site_id as s from store where code = ?').get(code) as { s: number }).s;
}

/** A save input for an existing site that changes nothing, to spread overrides onto. */
export function unchangedDraft(core: Core, siteId: number) {
  const site = core.sites.getSite({ siteId });
  return {
    siteId,
    expectedVersion: site.version,
    code: site.code,
    name: site.name,
    type: site.type,
    useJsNodeHttpClient: site.useJsNodeHttpClient,
    addStoreIds: [] as number[],
    removeStoreIds: [] as number[],
    confirmations: [] as never[],
  };
}
