/**
 * Issue 16 in the windows: the language picked on the login page, the user's own language from the
 * datafile, errors and confirmations worded from their codes and data, `<html lang>`, and dates,
 * numbers and plurals in the language's own way.
 */
import { act, screen, waitFor, within } from '@testing-library/react';
import { i18n, setLanguage } from '../../renderer/i18n';
import { errorText } from '../../renderer/i18n/words';
import { validateInput } from '../../shared/validate';
import { ago, dateTime, number } from '../../renderer/i18n/format';
import { ADMIN } from './in-process-api';
import { languageWorldEachTest } from './language-world';
import { logIn, renderApp } from './render-app';

const world = languageWorldEachTest();

const adminId = () => world().core.users.actorFor(1)!.userId!;

test('Spanish picked on the login page shows at once, follows the user in, and becomes their language', async () => {
  const { user } = renderApp(world());
  await user.selectOptions(await screen.findByLabelText('Language'), 'es');
  expect(await screen.findByRole('heading', { name: 'Iniciar sesión' })).toBeInTheDocument();
  expect(document.documentElement.lang).toBe('es');
  await user.type(screen.getByLabelText('Nombre de usuario'), ADMIN.userName);
  await user.type(screen.getByLabelText('Contraseña'), ADMIN.password);
  await user.click(screen.getByRole('button', { name: 'Iniciar sesión' }));
  expect(await screen.findByRole('button', { name: 'Cerrar sesión' })).toBeInTheDocument();
  expect(screen.getByText(`Sesión iniciada como ${ADMIN.userName}`)).toBeInTheDocument();
  await waitFor(() => expect(world().core.users.languageOf(adminId())).toBe('es'));
});

test('a user whose language is French gets French windows after logging in from an English login page', async () => {
  world().core.users.setLanguage(world().core.users.actorFor(1)!, 'fr');
  const { user } = renderApp(world());
  await user.type(await screen.findByLabelText('User name'), ADMIN.userName);
  await user.type(screen.getByLabelText('Password'), ADMIN.password);
  await user.click(screen.getByRole('button', { name: 'Log in' }));
  expect(await screen.findByRole('button', { name: 'Se déconnecter' })).toBeInTheDocument();
  expect(document.documentElement.lang).toBe('fr');
  expect(screen.getByLabelText('Site actif')).toHaveTextContent('Serveur central : Tamaki Central Synchronisation Server (ID de site 1)');
  // Changing it from the Navigator changes the windows and the user's language.
  await user.selectOptions(screen.getByLabelText('Langue'), 'en');
  expect(await screen.findByRole('button', { name: 'Log out' })).toBeInTheDocument();
  await waitFor(() => expect(world().core.users.languageOf(adminId())).toBe('en'));
});

test("errors travel as codes and are worded in the window's language, with their data", async () => {
  const { user } = renderApp(world());
  await user.selectOptions(await screen.findByLabelText('Language'), 'fr');
  await user.type(screen.getByLabelText('Nom d’utilisateur'), ADMIN.userName);
  await user.type(screen.getByLabelText('Mot de passe'), 'not the password');
  await user.click(screen.getByRole('button', { name: 'Se connecter' }));
  expect(await screen.findByRole('alert')).toHaveTextContent('Le nom d’utilisateur ou le mot de passe est incorrect.');

  await user.clear(screen.getByLabelText('Mot de passe'));
  await user.type(screen.getByLabelText('Mot de passe'), ADMIN.password);
  await user.click(screen.getByRole('button', { name: 'Se connecter' }));
  await user.click(await screen.findByRole('button', { name: 'Synchronisation' }));
  const grid = await screen.findByRole('grid', { name: 'Sites' });
  expect(await screen.findByText('5 sites')).toBeInTheDocument();
  // Kopu HC still has its store: the refusal names how many, in French.
  await user.click(await within(grid).findByRole('row', { name: /Kopu HC/ }));
  await user.click(screen.getByRole('button', { name: 'Supprimer' }));
  expect(await screen.findByRole('alert')).toHaveTextContent(
    'Ce site a encore des magasins (1). Retirez d’abord ses magasins ; ils iront sur le site serveur central.',
  );
});

test('confirmations are worded from their kind and data: deleting a site asks in French, naming it', async () => {
  const { user } = renderApp(world());
  await logIn(user);
  await user.click(screen.getByRole('button', { name: 'Synchronisation' }));
  const grid = await screen.findByRole('grid', { name: 'Sites' });
  // A new site with no stores, so that Delete asks to confirm.
  await user.click(screen.getByRole('button', { name: 'New' }));
  const dialog = await screen.findByRole('dialog', { name: 'Sites' });
  await user.type(within(dialog).getByLabelText('Site name'), 'Ōpōtiki');
  await user.click(within(dialog).getByRole('button', { name: 'OK' }));
  await within(grid).findByRole('row', { name: /Ōpōtiki/ });
  await user.selectOptions(screen.getByLabelText('Language'), 'fr');
  await user.click(within(grid).getByRole('row', { name: /Ōpōtiki/ }));
  await user.click(screen.getByRole('button', { name: 'Supprimer' }));
  const confirm = await screen.findByRole('alertdialog', { name: 'Veuillez confirmer' });
  expect(confirm).toHaveTextContent(/Supprimer le site « Ōpōtiki » \(ID de site \d+\) \? C’est irréversible\./);
  await user.click(within(confirm).getByRole('button', { name: 'Annuler' }));
});

test('dates, numbers, relative times and plurals follow the language', async () => {
  const hourAgo = new Date(Date.now() - 61 * 60_000).toISOString();
  await act(() => setLanguage('fr'));
  expect(number(10005)).toBe('10\u202f005');
  expect(ago(hourAgo)).toBe('il y a 1 h');
  expect(dateTime('2026-11-28T09:30:00.000Z', { dateStyle: 'short', timeZone: 'UTC' })).toBe('28/11/2026');
  await act(() => setLanguage('es'));
  expect(number(10005)).toBe('10.005');
  expect(ago(new Date(Date.now() - 3 * 24 * 3600_000).toISOString())).toBe('hace 3 días');
  await act(() => setLanguage('en'));
  expect(number(10005)).toBe('10,005');
  expect(ago(hourAgo)).toBe('1 h ago');
});

test('a validation problem is worded by its rule and limit in French and Spanish, and as sent in English', async () => {
  const tooLong = validateInput('enableSync', { centralUrl: 'https://central.example.org', siteName: 'x'.repeat(500), password: 'pw' });
  const tooBig = validateInput('setCentralServerPort', { port: 70000 });
  if (tooLong.ok || tooBig.ok) throw new Error('expected both to be refused');
  expect(errorText(i18n.t, tooLong.error)).toBe(tooLong.error.message);
  await act(() => setLanguage('fr'));
  expect(errorText(i18n.t, tooLong.error)).toMatch(/^\d+ caractères au plus\.$/);
  expect(errorText(i18n.t, tooBig.error)).toBe('65\u202f535 au plus.');
  await act(() => setLanguage('es'));
  expect(errorText(i18n.t, tooBig.error)).toBe('Como máximo 65.535.');
  // A problem that is not a limit is worded by what its field accepts.
  const badUrl = {
    code: 'validation_failed' as const,
    message: 'centralUrl: Invalid url',
    data: { issues: [{ field: 'centralUrl', message: 'Invalid url' }] },
  };
  expect(errorText(i18n.t, badUrl)).toBe('Introduzca una dirección http:// o https:// como https://central.example.org:2048.');
});

test('every other validation rule is worded exactly in French and Spanish: invisible characters, mixed alphabets, control characters, unsafe ports, whole and positive numbers, choices', async () => {
  const refused = (operation: Parameters<typeof validateInput>[0], input: unknown) => {
    const result = validateInput(operation, input);
    if (result.ok) throw new Error(`expected ${operation} to be refused`);
    return result.error;
  };
  const invisible = refused('enableSync', { centralUrl: 'https://central.example.org', siteName: 'Waik\u200Bato', password: 'pw' });
  const mixed = refused('enableSync', { centralUrl: 'https://central.example.org', siteName: 'W\u0430ikato', password: 'pw' });
  const control = refused('listSites', { search: 'Wai\u0000' });
  const unsafe = refused('setCentralServerPort', { port: 6000 });
  const fraction = refused('getSite', { siteId: 1.5 });
  const zero = refused('getSite', { siteId: 0 });
  const language = refused('setMyLanguage', { language: 'tlh' });
  // English shows the sentence as sent.
  expect(errorText(i18n.t, invisible)).toBe(
    'siteName: Site name cannot contain invisible or control characters: it has U+200B (zero width space) at position 5. Type the name again without it.',
  );

  await act(() => setLanguage('fr'));
  expect(errorText(i18n.t, invisible)).toBe(
    'Il ne peut pas contenir de caractère invisible ou de contrôle : il contient U+200B en position 5. Retapez-le sans ce caractère.',
  );
  expect(errorText(i18n.t, mixed)).toBe(
    '« W\u0430ikato » mélange des lettres des alphabets latin et cyrillique : certaines lettres de ces alphabets ne font que se ressembler. Retapez le mot dans un seul alphabet.',
  );
  expect(errorText(i18n.t, control)).toBe('Il ne peut pas contenir de caractères de contrôle (comme NUL, la tabulation ou les sauts de ligne).');
  expect(errorText(i18n.t, unsafe)).toMatch(/^Le port 6000 ne peut pas être utilisé : /);
  expect(errorText(i18n.t, fraction)).toBe('Un nombre entier.');
  expect(errorText(i18n.t, zero)).toBe('Plus de 0.');
  expect(errorText(i18n.t, language)).toBe('Choisissez une des valeurs proposées.');

  await act(() => setLanguage('es'));
  expect(errorText(i18n.t, invisible)).toBe(
    'No puede contener caracteres invisibles o de control: contiene U+200B en la posición 5. Vuelva a escribirlo sin ese carácter.',
  );
  expect(errorText(i18n.t, mixed)).toMatch(/^«W\u0430ikato» mezcla letras de los alfabetos latino y cirílico: /);
  expect(errorText(i18n.t, unsafe)).toMatch(/^No se puede usar el puerto 6000: /);
});
