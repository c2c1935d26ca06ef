/**
 * The application menu, as mSupply names it: File (datafiles), Special (Show Sites..., Users...), Edit, View,
 * Window (macOS: minimise with Cmd+M, zoom, bring all to front) and Help (About, the logs folder).
 * The template is plain data built from the actions main provides, so it is tested without a window.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../../shared/bridge';

export interface MenuActions {
  newDatafile(): void;
  openDatafile(): void;
  /** File > Back up datafile...: a consistent copy of the open datafile (backup-datafile.ts). */
  backUpDatafile(): void;
  /** Sends a menu command to the focused app window (its renderer listens with onMenuCommand). */
  sendMenuCommand(command: MenuCommand): void;
  /** Help > About mSupply Sync Sites: app, Electron, Node and datafile versions. */
  showAbout(): void;
  /** Help > Open logs folder: the folder of the desktop log file. */
  openLogsFolder(): void;
}

export interface MenuOptions {
  /** Reload and developer tools are offered only while developing. */
  isDevelopment: boolean;
  platform: NodeJS.Platform;
}

export function menuTemplate(actions: MenuActions, options: MenuOptions): MenuItemConstructorOptions[] {
  const isMac = options.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [];
  if (isMac) template.push({ role: 'appMenu' });
  template.push(
    {
      label: '&File',
      submenu: [
        { id: 'new-datafile', label: 'New datafile...', accelerator: 'CmdOrCtrl+N', click: () => actions.newDatafile() },
        { id: 'open-datafile', label: 'Open datafile...', accelerator: 'CmdOrCtrl+O', click: () => actions.openDatafile() },
        { id: 'back-up-datafile', label: 'Back up datafile...', click: () => actions.backUpDatafile() },
        // The window asks for the address (and offers the last one); main connects when it sends it.
        { id: 'connect-to-server', label: 'Connect to server...', click: () => actions.sendMenuCommand('connect-to-server') },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit', label: 'Quit' },
      ],
    },
    {
      label: '&Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' },
      ],
    },
    {
      label: '&Special',
      submenu: [
        { id: 'show-sites', label: 'Show Sites...', click: () => actions.sendMenuCommand('show-sites') },
        // Users and their permissions (Edit user > Permissions > Admin is the sync permission).
        { id: 'show-users', label: 'Users...', click: () => actions.sendMenuCommand('show-users') },
      ],
    },
    {
      label: '&View',
      submenu: [
        ...(options.isDevelopment ? ([{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, { type: 'separator' }] as const) : []),
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
  );
  // macOS apps have a Window menu; without it Cmd+M does nothing.
  if (isMac) template.push({ role: 'windowMenu' });
  template.push({
    label: '&Help',
    role: 'help',
    submenu: [
      { id: 'open-logs-folder', label: 'Open logs folder', click: () => actions.openLogsFolder() },
      { type: 'separator' },
      { id: 'about', label: 'About mSupply Sync Sites', click: () => actions.showAbout() },
    ],
  });
  return template;
}
