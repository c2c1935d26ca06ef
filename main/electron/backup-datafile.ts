/**
 * File > Back up datafile...: a consistent copy of the open datafile (SQLite's online backup, in
 * main/services/backup.ts) to a file the person chooses. The datafile stays open and usable.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type BrowserWindow, dialog } from 'electron';
import { AppFailure } from '../../shared/errors';
import type { DatafileHost } from '../hosts/datafile-host';
import { backUpDatafile, backupFileName } from '../services/backup';
import { type MenuWords, menuWords } from './menu-language';

export interface BackupMenuOptions {
  host: DatafileHost;
  /** Where the save dialog starts (the Documents folder). */
  defaultFolder: string;
  /** The better-sqlite3 build Electron loads, to check the copy with. */
  nativeBinding?: string;
  /** The words of the menu's language (English by default). */
  t?: MenuWords;
}

export async function backUpDatafileFromMenu(window: BrowserWindow, options: BackupMenuOptions): Promise<void> {
  const tell = (type: 'info' | 'error', message: string, detail: string) =>
    dialog.showMessageBox(window, { type, message, detail }).then(() => undefined);
  const t = options.t ?? menuWords('en');
  const core = options.host.core;
  if (!core) {
    const status = options.host.status();
    if (status.needsSetup) return tell('info', t('backup.nothing-yet'), t('backup.nothing-yet-detail'));
    if (status.open) return tell('info', t('backup.on-server'), t('backup.on-server-detail', { location: status.location ?? '' }));
    return tell('info', t('backup.no-datafile'), t('backup.no-datafile-detail'));
  }

  const datafile = core.datafile.path;
  const chosen = await dialog.showSaveDialog(window, {
    title: t('backup.title'),
    buttonLabel: t('backup.button'),
    defaultPath: path.join(options.defaultFolder, backupFileName(datafile, new Date())),
    filters: [{ name: t('dialog.datafiles'), extensions: ['sqlite'] }],
    properties: ['createDirectory', 'showOverwriteConfirmation'],
  });
  if (chosen.canceled || !chosen.filePath) return;
  // A datafile open in another program (its lock file is beside it) is never written over.
  if (fs.existsSync(`${chosen.filePath}.lock`)) {
    return tell('error', t('backup.failed'), t('backup.file-in-use', { file: chosen.filePath }));
  }
  try {
    const result = await backUpDatafile(core.datafile.sqlite, chosen.filePath, { nativeBinding: options.nativeBinding });
    await tell('info', t('backup.done'), t('backup.done-detail', { file: result.file, megabytes: result.bytes / 1024 / 1024 }));
  } catch (error) {
    await tell('error', t('backup.failed'), error instanceof AppFailure ? error.message : String(error));
  }
}
