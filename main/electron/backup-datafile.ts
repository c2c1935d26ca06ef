/**
 * File > Back up datafile...: a consistent copy of the open datafile (SQLite's online backup, in
 * main/services/backup.ts) to a file the person chooses. The datafile stays open and usable.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type BrowserWindow, dialog } from 'electron';
import { AppFailure } from '../../shared/errors';
import { type DatafileHost, noDatafileMessage } from '../hosts/datafile-host';
import { backUpDatafile, backupFileName } from '../services/backup';

export interface BackupMenuOptions {
  host: DatafileHost;
  /** Where the save dialog starts (the Documents folder). */
  defaultFolder: string;
  /** The better-sqlite3 build Electron loads, to check the copy with. */
  nativeBinding?: string;
}

export async function backUpDatafileFromMenu(window: BrowserWindow, options: BackupMenuOptions): Promise<void> {
  const tell = (type: 'info' | 'error', message: string, detail: string) =>
    dialog.showMessageBox(window, { type, message, detail }).then(() => undefined);
  const core = options.host.core;
  if (!core) {
    const status = options.host.status();
    if (status.needsSetup) return tell('info', 'There is nothing to back up yet.', 'This datafile is new: set up its first administrator first.');
    if (status.open) {
      return tell(
        'info',
        'The datafile is on the server.',
        `This window is connected to ${status.location}. Its datafile is backed up on the server (npm run server --backup-dir).`,
      );
    }
    return tell('info', 'No datafile is open.', noDatafileMessage);
  }

  const datafile = core.datafile.path;
  const chosen = await dialog.showSaveDialog(window, {
    title: 'Back up datafile',
    buttonLabel: 'Back up',
    defaultPath: path.join(options.defaultFolder, backupFileName(datafile, new Date())),
    filters: [{ name: 'mSupply sync datafiles', extensions: ['sqlite'] }],
    properties: ['createDirectory', 'showOverwriteConfirmation'],
  });
  if (chosen.canceled || !chosen.filePath) return;
  // A datafile open in another program (its lock file is beside it) is never written over.
  if (fs.existsSync(`${chosen.filePath}.lock`)) {
    return tell('error', 'The datafile was not backed up.', `${chosen.filePath} is a datafile open in another program. Choose another file name.`);
  }
  try {
    const result = await backUpDatafile(core.datafile.sqlite, chosen.filePath, { nativeBinding: options.nativeBinding });
    await tell(
      'info',
      'The datafile was backed up.',
      `${result.file} (${(result.bytes / 1024 / 1024).toFixed(1)} MB)\n\n` +
        'To go back to it, close the app (or open another datafile) and open the backup with File > Open datafile..., ' +
        'or copy it over the datafile while the app is closed.',
    );
  } catch (error) {
    await tell('error', 'The datafile was not backed up.', error instanceof AppFailure ? error.message : String(error));
  }
}
