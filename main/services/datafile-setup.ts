/**
 * A new datafile: one site, the central server site (site ID 1), active on it, and a first
 * administrator whose password the person setting it up chooses (there is no default password).
 * The demo option adds the example system of the mSupply documentation.
 */
import { randomUUID } from 'node:crypto';
import { AppFailure } from '../../shared/errors';
import { nameKey, nameProblem, normaliseName } from '../../shared/names';
import type { Datafile } from '../../db/datafile';
import { setSetting } from '../../db/settings';
import { EDIT_SYNC_SETTINGS } from './actor';
import type { PasswordHasher } from './passwords';

export interface SetupOptions {
  admin: { userName: string; password: string };
  centralSiteName?: string;
  demo?: boolean;
}

export function needsSetup(datafile: Datafile): boolean {
  const row = datafile.sqlite.prepare('select count(*) as n from site').get() as { n: number };
  return row.n === 0;
}

export const demoSites = [
  { id: 1, name: 'Tamaki Central Synchronisation Server', type: 'standalone', central: true },
  { id: 2, name: 'Kawakawa', type: 'mobile', central: false },
  { id: 3, name: 'Waikato', type: 'standalone', central: false },
  { id: 4, name: 'Auckland Hospital', type: 'standalone', central: false },
  { id: 5, name: 'Kopu HC', type: 'standalone', central: false },
] as const;

export const demoStores = [
  { code: 'Tamaki', name: 'Tamaki Central Medical Store', siteId: 1 },
  { code: 'Opua', name: 'Opua Health Centre', siteId: 1 },
  { code: 'HUF', name: 'Auckland Hospital Dispensary', siteId: 4 },
  { code: 'KamoRW', name: 'Kamo Regional Warehouse', siteId: 1 },
  { code: 'Kopu', name: 'Kopu Health Centre', siteId: 5 },
  { code: 'Waikato', name: 'Waikato District Store', siteId: 3 },
  { code: 'Kawakawa', name: 'Kawakawa Health Centre', siteId: 2 },
  { code: 'TAU_DH', name: 'Taurangi District Hospital', siteId: 3 },
] as const;

const demoItems = [
  ['AMOX500', 'Amoxicillin 500mg capsules'],
  ['PARA500', 'Paracetamol 500mg tablets'],
  ['ORS', 'Oral rehydration salts sachet'],
  ['GLOVE-M', 'Examination gloves, medium'],
] as const;

export async function setUpNewDatafile(datafile: Datafile, hasher: PasswordHasher, options: SetupOptions): Promise<void> {
  const userName = normaliseName(options.admin.userName);
  if (!userName) throw new AppFailure('validation_failed', 'The administrator needs a user name.');
  const nameRule = nameProblem('User name', userName);
  if (nameRule) throw new AppFailure('validation_failed', nameRule);
  if (options.admin.password.length < 8) {
    throw new AppFailure('validation_failed', 'The administrator password must be at least 8 characters.');
  }
  const adminHash = await hasher.hashUserPassword(options.admin.password);
  const { sqlite } = datafile;
  sqlite
    .transaction(() => {
      if (!needsSetup(datafile)) throw new AppFailure('validation_failed', 'This datafile is already set up.');
      const insertSite = sqlite.prepare(
        `insert into site (id, uuid, code, name, name_key, type, is_central, hardware_id, app_name, last_connected_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      if (options.demo) {
        for (const s of demoSites) {
          // Kawakawa has synced from a tablet: it is a remote site in active use.
          const synced = s.id === 2;
          insertSite.run(
            s.id,
            randomUUID(),
            String(s.id),
            s.name,
            nameKey(s.name),
            s.type,
            s.central ? 1 : 0,
            synced ? 'demo-tablet-hardware-id' : '',
            synced ? 'mSupply Mobile' : null,
            synced ? new Date().toISOString() : null,
          );
        }
        const insertStore = sqlite.prepare('insert into store (uuid, code, name, site_id) values (?, ?, ?, ?)');
        const insertRecord = sqlite.prepare('insert into store_record (id, store_id, item_code, item_name, quantity) values (?, ?, ?, ?, ?)');
        demoStores.forEach((s, index) => {
          const storeId = Number(insertStore.run(randomUUID(), s.code, s.name, s.siteId).lastInsertRowid);
          demoItems.forEach(([code, name], i) => insertRecord.run(randomUUID(), storeId, code, name, (index + 1) * 10 + i * 5));
        });
      } else {
        const name = options.centralSiteName?.trim() || 'Central server';
        insertSite.run(1, randomUUID(), '1', name, nameKey(name), 'standalone', 1, '', null, null);
      }
      setSetting(sqlite, 'active_site_id', 1);
      const adminId = Number(
        sqlite.prepare('insert into user (name, name_key, password_hash) values (?, ?, ?)').run(userName, nameKey(userName), adminHash)
          .lastInsertRowid,
      );
      sqlite.prepare('insert into user_permission (user_id, permission) values (?, ?)').run(adminId, EDIT_SYNC_SETTINGS);
    })
    .immediate();
}
