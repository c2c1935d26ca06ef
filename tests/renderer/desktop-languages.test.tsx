/**
 * The desktop window's languages before anyone signs in: the Set-up and Connect-to-server windows
 * have the picker too, and a choice there (or on the login page) is this computer's language, which
 * main keeps and the menu follows; a choice in the desktop menu's Language menu shows at once.
 */
import { act, screen, waitFor, within } from '@testing-library/react';
import type { DesktopCommands, MenuCommand } from '../../shared/bridge';
import type { UiLanguage } from '../../shared/contract';
import { ADMIN } from './in-process-api';
import { languageWorldEachTest } from './language-world';
import { renderApp } from './render-app';

const world = languageWorldEachTest();

function fakeDesktop(status: { needsSetup: boolean }) {
  const commands = new Set<(command: MenuCommand) => void>();
  const chosen = new Set<(language: UiLanguage) => void>();
  const deviceLanguages: string[] = [];
  const desktop: DesktopCommands = {
    datafileStatus: async () => ({ ok: true, value: { location: '/data/test.sqlite', open: true, needsSetup: status.needsSetup } }),
    setUpDatafile: async () => {
      status.needsSetup = false;
      return { ok: true, value: { location: '/data/test.sqlite', open: true, needsSetup: false } };
    },
    connectToServer: async () => ({ ok: false, error: { code: 'server_unreachable', message: 'not in this test' } }),
    lastServerUrl: async () => ({ ok: true, value: null }),
    onMenuCommand: (listener) => {
      commands.add(listener);
      return () => commands.delete(listener);
    },
    setDeviceLanguage: async ({ language }) => {
      deviceLanguages.push(language);
      return { ok: true, value: null };
    },
    onLanguageChosen: (listener) => {
      chosen.add(listener);
      return () => chosen.delete(listener);
    },
  };
  return {
    desktop,
    deviceLanguages,
    send: (command: MenuCommand) => act(() => commands.forEach((l) => l(command))),
    chooseFromMenu: (language: UiLanguage) => act(() => chosen.forEach((l) => l(language))),
  };
}

const adminLanguage = () => world().core.users.languageOf(world().core.users.actorFor(1)!.userId!);

test('the Set-up window has the language picker: French shows at once, is this computer’s, and becomes the administrator’s', async () => {
  const shell = fakeDesktop({ needsSetup: true });
  const { user } = renderApp(world(), shell.desktop);
  expect(await screen.findByRole('heading', { name: 'Set up a new datafile' })).toBeInTheDocument();
  await user.selectOptions(screen.getByLabelText('Language'), 'fr');
  expect(await screen.findByRole('heading', { name: 'Créer un nouveau fichier de données' })).toBeInTheDocument();
  expect(document.documentElement.lang).toBe('fr');
  expect(shell.deviceLanguages).toEqual(['fr']);

  await user.type(screen.getByLabelText('Nom d’utilisateur'), ADMIN.userName);
  await user.type(screen.getByLabelText('Mot de passe'), ADMIN.password);
  await user.type(screen.getByLabelText('Confirmer le mot de passe'), ADMIN.password);
  await user.click(screen.getByRole('button', { name: 'Créer le fichier de données' }));
  expect(await screen.findByRole('button', { name: 'Se déconnecter' })).toBeInTheDocument();
  await waitFor(() => expect(adminLanguage()).toBe('fr'));
});

test('the Connect-to-server window has the language picker: Spanish shows at once and is this computer’s', async () => {
  const shell = fakeDesktop({ needsSetup: false });
  const { user } = renderApp(world(), shell.desktop);
  await screen.findByRole('heading', { name: 'Log in' });
  shell.send('connect-to-server');
  const dialog = await screen.findByRole('dialog', { name: 'Connect to server' });
  await user.selectOptions(within(dialog).getByLabelText('Language'), 'es');
  const spanish = await screen.findByRole('dialog', { name: 'Conectar a un servidor' });
  expect(within(spanish).getByLabelText('Dirección del servidor')).toBeInTheDocument();
  expect(shell.deviceLanguages).toEqual(['es']);
  // The login page behind it follows too.
  expect(screen.getByRole('heading', { name: 'Iniciar sesión', hidden: true })).toBeInTheDocument();
});

test('the login page’s choice is this computer’s too, and the desktop menu’s Language choice shows at once', async () => {
  const shell = fakeDesktop({ needsSetup: false });
  const { user } = renderApp(world(), shell.desktop);
  await user.selectOptions(await screen.findByLabelText('Language'), 'es');
  expect(shell.deviceLanguages).toEqual(['es']);

  shell.chooseFromMenu('fr');
  expect(await screen.findByRole('heading', { name: 'Connexion' })).toBeInTheDocument();
  expect(screen.getByLabelText('Langue')).toHaveValue('fr');
  // Main has saved the menu's choice itself: the window does not send it back.
  expect(shell.deviceLanguages).toEqual(['es']);
  // Kept in the browser too, for the next login page.
  expect(localStorage.getItem('msupply-sync-sites.language')).toBe('fr');
});
