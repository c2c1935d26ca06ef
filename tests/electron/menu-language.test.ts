/**
 * The desktop menu and main's dialogs in the person's language: the signed-in user's (saved in the
 * datafile), else the one chosen on this computer before sign-in, else the system's; the Language
 * menu sets it (and tells the window), and the window's own picker moves the menu with it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { desktopChannels, operationChannel } from '../../shared/ipc';
import { fake, type BrowserWindow } from '../fakes/electron';
import { type BuiltLayout, type MenuItem, builtLayout, flush, invoke, prepare, quitApp } from './desktop-layout';
import { startDesktopApp } from '../../main/electron/app';

const boss = { userName: 'boss', password: 'long enough 1' };

async function startWith(layout: BuiltLayout, systemLanguages: string[] = ['en-US']): Promise<BrowserWindow> {
  prepare(layout);
  fake.app.systemLanguages = systemLanguages;
  await startDesktopApp({ argv: [], bundleDir: layout.bundleDir, logToConsole: false });
  return fake.windows[0]!;
}

const menus = () => fake.applicationMenu!.template as MenuItem[];
const topLabels = () => menus().map((m) => m.label);
/** Every label a person reads in the menu, top-level and items, in order (separators have none). */
const allLabels = () =>
  menus()
    .flatMap((m) => [m.label, ...(m.submenu ?? []).map((i) => i.label)])
    .filter((l): l is string => Boolean(l));
const languageItem = (name: string) =>
  menus()
    .find((m) => m.submenu?.some((i) => i.id === 'language-en'))!
    .submenu!.find((i) => i.label === name)!;
const checkedLanguage = () =>
  (menus().find((m) => m.submenu?.some((i) => i.id === 'language-en'))!.submenu as (MenuItem & { checked?: boolean })[]).find((i) => i.checked)
    ?.label;
const whoAmI = async (window: BrowserWindow) => (await invoke(window, operationChannel('whoAmI'), {})).value;

async function signIn(window: BrowserWindow): Promise<void> {
  expect((await invoke(window, operationChannel('login'), boss)).ok).toBe(true);
  await flush();
}

describe('the desktop menu in the person’s language', () => {
  let layout: BuiltLayout;
  let englishLabels: string[];
  beforeEach(() => {
    layout = builtLayout();
  });
  afterEach(() => quitApp());

  it('is in French once a French user signs in, with no English left but the product and language names, and English again after they log out', async () => {
    let window = await startWith(layout);
    englishLabels = allLabels();
    expect(topLabels()).toEqual(['&File', '&Edit', '&Special', '&View', '&Language', '&Help']);
    await invoke(window, desktopChannels.setUpDatafile, { ...boss, demo: false });
    await signIn(window);
    expect((await invoke(window, operationChannel('setMyLanguage'), { language: 'fr' })).ok).toBe(true);
    await quitApp();

    window = await startWith(layout);
    expect(topLabels()[0]).toBe('&File');
    await signIn(window);
    expect(topLabels()).toEqual(['&Fichier', '&Édition', '&Spécial', '&Affichage', '&Langue', 'Ai&de']);
    const french = allLabels();
    const names = new Set(['English', 'Français', 'Español']);
    const leftInEnglish = french.filter((label, i) => label === englishLabels[i] && !names.has(label));
    expect(leftInEnglish).toEqual([]);
    expect(french).toEqual(
      expect.arrayContaining(['Nouveau fichier de données...', 'Afficher les sites...', 'Annuler', 'À propos de mSupply Sync Sites']),
    );
    expect(checkedLanguage()).toBe('Français');

    // Help > About speaks French too.
    menus()
      .at(-1)!
      .submenu!.find((i) => i.id === 'about')!.click!();
    await flush();
    expect(fake.messageBoxes.at(-1)).toEqual(
      expect.objectContaining({ title: 'À propos de mSupply Sync Sites', detail: expect.stringContaining('Migrations de cette application : ') }),
    );

    await invoke(window, operationChannel('logout'), {});
    await flush();
    expect(topLabels()[0]).toBe('&File');
  });

  it('Language > Español saves the signed-in user’s language, tells the window, and rebuilds the menu in Spanish', async () => {
    const window = await startWith(layout);
    await invoke(window, desktopChannels.setUpDatafile, { ...boss, demo: false });
    await signIn(window);
    expect(checkedLanguage()).toBe('English');

    languageItem('Español').click!();
    await flush();
    expect((await whoAmI(window)).user.language).toBe('es');
    expect(window.webContents.sent).toContainEqual({ channel: desktopChannels.languageChosen, args: ['es'] });
    expect(topLabels()).toEqual(['&Archivo', '&Edición', 'E&special', '&Ver', '&Idioma', 'Ay&uda']);
    expect(checkedLanguage()).toBe('Español');
    // The user's choice, not this computer's: the login page of the next start follows the system.
    expect(fs.existsSync(path.join(layout.userData, 'language.json'))).toBe(false);
  });

  it('follows the window’s own picker: setMyLanguage from the window rebuilds the menu', async () => {
    const window = await startWith(layout);
    await invoke(window, desktopChannels.setUpDatafile, { ...boss, demo: false });
    await signIn(window);
    await invoke(window, operationChannel('setMyLanguage'), { language: 'fr' });
    await flush();
    expect(topLabels()[0]).toBe('&Fichier');
    await invoke(window, operationChannel('setMyLanguage'), { language: 'es' });
    await flush();
    expect(topLabels()[0]).toBe('&Archivo');
    // The pseudo-locale tests the window: the menu shows English then.
    await invoke(window, operationChannel('setMyLanguage'), { language: 'en-XA' });
    await flush();
    expect(topLabels()[0]).toBe('&File');
  });

  it('before sign-in: follows the system’s language, then the one chosen on this computer (from the menu or the window), remembered for the next start', async () => {
    let window = await startWith(layout, ['de-DE', 'fr-CA', 'en-US']);
    expect(topLabels()[0]).toBe('&Fichier');
    expect(checkedLanguage()).toBe('Français');

    languageItem('Español').click!();
    await flush();
    expect(topLabels()[0]).toBe('&Archivo');
    expect(window.webContents.sent).toContainEqual({ channel: desktopChannels.languageChosen, args: ['es'] });
    await quitApp();

    window = await startWith(layout, ['fr-CA']);
    expect(topLabels()[0]).toBe('&Archivo');

    // The window's picker on the login, set-up or connect window.
    expect(await invoke(window, desktopChannels.setDeviceLanguage, { language: 'en' })).toEqual({ ok: true, value: null });
    await flush();
    expect(topLabels()[0]).toBe('&File');
    const refused = await invoke(window, desktopChannels.setDeviceLanguage, { language: 'tlh' });
    expect(refused).toEqual({ ok: false, error: expect.objectContaining({ code: 'validation_failed' }) });
    expect(topLabels()[0]).toBe('&File');
    await quitApp();

    await startWith(layout, ['fr-CA']);
    expect(topLabels()[0]).toBe('&File');
  });

  it('a new user without a language of their own keeps this computer’s language in the menu', async () => {
    const window = await startWith(layout, ['es-MX']);
    await invoke(window, desktopChannels.setUpDatafile, { ...boss, demo: false });
    await signIn(window);
    expect((await whoAmI(window)).user.language).toBeNull();
    expect(topLabels()[0]).toBe('&Archivo');
  });
});
