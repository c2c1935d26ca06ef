/**
 * File > Back up datafile... as a person uses it: the copy is written where they chose, opens with
 * every site in it, and the message says where it went; cancelling writes nothing; a datafile open
 * in another program is never written over; with no datafile of its own the app says why.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BrowserWindow } from 'electron';
import Database from 'better-sqlite3';
import { backUpDatafileFromMenu } from '../../main/electron/backup-datafile';
import { menuTemplate } from '../../main/electron/menu';
import { menuWords } from '../../main/electron/menu-language';
import { DatafileHost } from '../../main/hosts/datafile-host';
import { acquireDatafileLock } from '../../main/services/datafile-lock';
import { checkBackupIntegrity } from '../../main/services/backup';
import { fake } from '../fakes/electron';
import { fastHasher, newCore, tempDir } from '../helpers/core';

let host: DatafileHost;
let window: BrowserWindow;
let documents: string;

beforeEach(async () => {
  fake.reset();
  const core = await newCore({ demo: true });
  const file = core.datafile.path;
  core.close();
  host = new DatafileHost({ hasher: fastHasher, logError: () => {} });
  expect((await host.open(file)).ok).toBe(true);
  window = new BrowserWindow({});
  documents = tempDir('documents-');
});

afterEach(() => host.close());

it('is an item of the File menu', () => {
  let called = 0;
  const template = menuTemplate(
    {
      newDatafile: () => {},
      openDatafile: () => {},
      backUpDatafile: () => (called += 1),
      sendMenuCommand: () => {},
      showAbout: () => {},
      openLogsFolder: () => {},
      chooseLanguage: () => {},
    },
    { isDevelopment: false, platform: 'linux', language: 'en', t: menuWords('en') },
  );
  const file = template.find((menu) => menu.label === '&File')!;
  const item = (file.submenu as { label?: string; click?: () => void }[]).find((i) => i.label === 'Back up datafile...')!;
  item.click!();
  expect(called).toBe(1);
});

it('writes a consistent copy where the person chose, and says where', async () => {
  const target = path.join(documents, 'before the upgrade.sqlite');
  fake.dialogAnswers.save = { canceled: false, filePath: target };
  await backUpDatafileFromMenu(window, { host, defaultFolder: documents });

  expect(fake.messageBoxes).toEqual([
    expect.objectContaining({ type: 'info', message: 'The datafile was backed up.', detail: expect.stringContaining(target) }),
  ]);
  expect(checkBackupIntegrity(target)).toBe('ok');
  const copy = new Database(target, { readonly: true });
  const names = (copy.prepare('select name from site order by id').all() as { name: string }[]).map((r) => r.name);
  copy.close();
  expect([...names].sort()).toEqual(
    host
      .core!.sites.listSites({})
      .rows.map((r) => r.name)
      .sort(),
  );
  expect(names).toContain('Kopu HC');
  // The datafile stays open and in use.
  expect(host.status().open).toBe(true);
});

it('writes nothing when the dialog is cancelled', async () => {
  fake.dialogAnswers.save = { canceled: true, filePath: '' };
  await backUpDatafileFromMenu(window, { host, defaultFolder: documents });
  expect(fs.readdirSync(documents)).toEqual([]);
  expect(fake.messageBoxes).toEqual([]);
});

it('never writes over a datafile open in another program', async () => {
  const other = path.join(documents, 'other.sqlite');
  fs.writeFileSync(other, 'their datafile');
  const lock = acquireDatafileLock(other, { pid: 4242, host: 'RECEPTION-PC' });
  fake.dialogAnswers.save = { canceled: false, filePath: other };
  await backUpDatafileFromMenu(window, { host, defaultFolder: documents });
  lock.release();
  expect(fs.readFileSync(other, 'utf8')).toBe('their datafile');
  expect(fake.messageBoxes).toEqual([expect.objectContaining({ type: 'error', message: 'The datafile was not backed up.' })]);
});

it('says there is no datafile to back up when none is open', async () => {
  host.close();
  await backUpDatafileFromMenu(window, { host: new DatafileHost(), defaultFolder: documents });
  expect(fake.messageBoxes).toEqual([expect.objectContaining({ message: 'No datafile is open.' })]);
});
