/**
 * The application menu, as mSupply names it: File (datafiles), Special (Show Sites..., Users...), Edit, View,
 * Language (English, Français, Español), Window (macOS: minimise with Cmd+M, zoom, bring all to front)
 * and Help (About, the logs folder), every label in the menu's language (menu-language.ts): Electron
 * words its roles' default labels in English, so each role is given its label here too.
 * The template is plain data built from the actions main provides, so it is tested without a window.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../../shared/bridge';
import { type SpokenLanguage, languageNames, languages } from '../../shared/locales/languages';
import type { MenuWords } from './menu-language';

export const productName = 'mSupply Sync Sites';

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
  /** Language > a language: the signed-in user's language (else this computer's), the window and the menu. */
  chooseLanguage(language: SpokenLanguage): void;
}

export interface MenuOptions {
  /** Reload and developer tools are offered only while developing. */
  isDevelopment: boolean;
  platform: NodeJS.Platform;
  /** The language the menu is in (checked in the Language menu). */
  language: SpokenLanguage;
  /** The menu's words in that language. */
  t: MenuWords;
}

export function menuTemplate(actions: MenuActions, options: MenuOptions): MenuItemConstructorOptions[] {
  const { t } = options;
  const product = { product: productName };
  const isMac = options.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [];
  if (isMac) {
    // macOS names the first menu after the app whatever its label.
    template.push({
      label: productName,
      submenu: [
        { role: 'about', label: t('app.about', product) },
        { type: 'separator' },
        { role: 'services', label: t('app.services') },
        { type: 'separator' },
        { role: 'hide', label: t('app.hide', product) },
        { role: 'hideOthers', label: t('app.hide-others') },
        { role: 'unhide', label: t('app.show-all') },
        { type: 'separator' },
        { role: 'quit', label: t('app.quit', product) },
      ],
    });
  }
  template.push(
    {
      label: t('menu.file'),
      submenu: [
        { id: 'new-datafile', label: t('file.new-datafile'), accelerator: 'CmdOrCtrl+N', click: () => actions.newDatafile() },
        { id: 'open-datafile', label: t('file.open-datafile'), accelerator: 'CmdOrCtrl+O', click: () => actions.openDatafile() },
        { id: 'back-up-datafile', label: t('file.back-up-datafile'), click: () => actions.backUpDatafile() },
        // The window asks for the address (and offers the last one); main connects when it sends it.
        { id: 'connect-to-server', label: t('file.connect-to-server'), click: () => actions.sendMenuCommand('connect-to-server') },
        { type: 'separator' },
        isMac ? { role: 'close', label: t('file.close-window') } : { role: 'quit', label: t('file.quit') },
      ],
    },
    {
      label: t('menu.edit'),
      submenu: [
        { role: 'undo', label: t('edit.undo') },
        { role: 'redo', label: t('edit.redo') },
        { type: 'separator' },
        { role: 'cut', label: t('edit.cut') },
        { role: 'copy', label: t('edit.copy') },
        { role: 'paste', label: t('edit.paste') },
        { role: 'selectAll', label: t('edit.select-all') },
      ],
    },
    {
      label: t('menu.special'),
      submenu: [
        { id: 'show-sites', label: t('special.show-sites'), click: () => actions.sendMenuCommand('show-sites') },
        // Users and their permissions (Edit user > Permissions > Admin is the sync permission).
        { id: 'show-users', label: t('special.users'), click: () => actions.sendMenuCommand('show-users') },
      ],
    },
    {
      label: t('menu.view'),
      submenu: [
        ...(options.isDevelopment
          ? ([
              { role: 'reload', label: t('view.reload') },
              { role: 'forceReload', label: t('view.force-reload') },
              { role: 'toggleDevTools', label: t('view.toggle-dev-tools') },
              { type: 'separator' },
            ] as const)
          : []),
        { role: 'resetZoom', label: t('view.actual-size') },
        { role: 'zoomIn', label: t('view.zoom-in') },
        { role: 'zoomOut', label: t('view.zoom-out') },
        { type: 'separator' },
        { role: 'togglefullscreen', label: t('view.full-screen') },
      ],
    },
    {
      label: t('menu.language'),
      // Each language named in itself, so a person finds theirs whatever the menu is in.
      submenu: languages.map((language) => ({
        id: `language-${language}`,
        label: languageNames[language],
        type: 'radio' as const,
        checked: language === options.language,
        click: () => actions.chooseLanguage(language),
      })),
    },
  );
  // macOS apps have a Window menu; without it Cmd+M does nothing.
  if (isMac) {
    template.push({
      label: t('menu.window'),
      role: 'window',
      submenu: [
        { role: 'minimize', label: t('window.minimise') },
        { role: 'zoom', label: t('window.zoom') },
        { type: 'separator' },
        { role: 'front', label: t('window.front') },
      ],
    });
  }
  template.push({
    label: t('menu.help'),
    role: 'help',
    submenu: [
      { id: 'open-logs-folder', label: t('help.open-logs-folder'), click: () => actions.openLogsFolder() },
      { type: 'separator' },
      { id: 'about', label: t('help.about', product), click: () => actions.showAbout() },
    ],
  });
  return template;
}
