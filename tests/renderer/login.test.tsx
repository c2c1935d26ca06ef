import { act, screen, within } from '@testing-library/react';
import { errorMessages } from '../../shared/errors';
import type { DesktopCommands, MenuCommand } from '../../shared/bridge';
import { ADMIN, inProcessApi, type InProcessApi } from './in-process-api';
import { logIn, renderApp } from './render-app';

let world: InProcessApi;
beforeEach(async () => {
  world = await inProcessApi();
});
afterEach(() => world.core.close());

test('a wrong password shows the error in words and does not log in', async () => {
  const { user } = renderApp(world);
  await user.type(await screen.findByLabelText('User name'), ADMIN.userName);
  await user.type(screen.getByLabelText('Password'), 'not the password');
  await user.click(screen.getByRole('button', { name: 'Log in' }));
  expect(await screen.findByRole('alert')).toHaveTextContent(errorMessages.invalid_credentials);
  expect(screen.queryByRole('button', { name: 'Log out' })).not.toBeInTheDocument();
  expect(world.session.userId).toBeNull();
});

test('logging in shows who is logged in and the active site; Log out returns to the login', async () => {
  const { user } = renderApp(world);
  await logIn(user);
  expect(screen.getByText(`Logged in as ${ADMIN.userName}`)).toBeInTheDocument();
  expect(screen.getByLabelText('Active site')).toHaveTextContent('Tamaki Central Synchronisation Server (site ID 1)');
  await user.click(screen.getByRole('button', { name: 'Log out' }));
  expect(await screen.findByRole('heading', { name: 'Log in' })).toBeInTheDocument();
  expect(world.session.userId).toBeNull();
});

test('Special > Synchronisation opens the sites window with the documented columns', async () => {
  const { user } = renderApp(world);
  await logIn(user);
  expect(screen.getByRole('heading', { name: 'Special' })).toBeInTheDocument();
  await user.click(screen.getByRole('button', { name: 'Synchronisation' }));
  const grid = await screen.findByRole('grid', { name: 'Sites' });
  for (const header of ['ID', 'Site code', 'Site name', 'Device type']) {
    expect(within(grid).getByRole('columnheader', { name: header })).toBeInTheDocument();
  }
  await within(grid).findByRole('row', { name: /Kawakawa/ });
  // The central server site leads the list on the central server.
  const rows = within(grid).getAllByRole('row').slice(1);
  expect(rows[0]).toHaveTextContent('Tamaki Central Synchronisation Server');
  expect(rows).toHaveLength(5);
  expect(screen.getByRole('button', { name: 'New' })).toBeEnabled();
  expect(screen.getByPlaceholderText('Type here to search')).toBeInTheDocument();
});

function fakeDesktop(status: { needsSetup: boolean }) {
  const listeners = new Set<(command: MenuCommand) => void>();
  const deviceLanguages: string[] = [];
  const setups: { userName: string; password: string; demo: boolean }[] = [];
  const desktop: DesktopCommands = {
    datafileStatus: async () => ({ ok: true, value: { location: '/data/test.sqlite', open: true, needsSetup: status.needsSetup } }),
    setUpDatafile: async (input) => {
      setups.push(input);
      status.needsSetup = false;
      return { ok: true, value: { location: '/data/test.sqlite', open: true, needsSetup: false } };
    },
    connectToServer: async () => ({ ok: false, error: { code: 'server_unreachable', message: 'not in this test' } }),
    lastServerUrl: async () => ({ ok: true, value: null }),
    onMenuCommand: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    setDeviceLanguage: async ({ language }) => {
      deviceLanguages.push(language);
      return { ok: true, value: null };
    },
    onLanguageChosen: () => () => undefined,
  };
  return { desktop, setups, deviceLanguages, send: (command: MenuCommand) => listeners.forEach((l) => l(command)) };
}

test('the menu command show-sites opens the same sites window', async () => {
  const fake = fakeDesktop({ needsSetup: false });
  const { user } = renderApp(world, fake.desktop);
  await logIn(user);
  act(() => fake.send('show-sites'));
  expect(await screen.findByRole('grid', { name: 'Sites' })).toBeInTheDocument();
  act(() => fake.send('show-navigator'));
  expect(await screen.findByRole('button', { name: 'Synchronisation' })).toBeInTheDocument();
});

test('the menu command show-users opens the Users window', async () => {
  const fake = fakeDesktop({ needsSetup: false });
  const { user } = renderApp(world, fake.desktop);
  await logIn(user);
  act(() => fake.send('show-users'));
  expect(await screen.findByRole('grid', { name: 'Users' })).toBeInTheDocument();
});

test('after logging in the focus is on the Special page’s Synchronisation button, and Enter opens the sites list', async () => {
  const { user } = renderApp(world);
  await logIn(user);
  expect(screen.getByRole('button', { name: 'Synchronisation' })).toHaveFocus();
  await user.keyboard('{Enter}');
  await screen.findByRole('row', { name: /Tamaki Central/ });
  expect(screen.getByRole('grid', { name: 'Sites' })).toHaveFocus();
});

test('a new datafile asks for its first administrator, checks the password, and has no default password', async () => {
  const fake = fakeDesktop({ needsSetup: true });
  const { user } = renderApp(world, fake.desktop);
  expect(await screen.findByRole('heading', { name: 'Set up a new datafile' })).toBeInTheDocument();
  expect(screen.getByLabelText('Password')).toHaveValue('');
  await user.type(screen.getByLabelText('User name'), ADMIN.userName);
  await user.type(screen.getByLabelText('Password'), 'short');
  await user.type(screen.getByLabelText('Confirm password'), 'short');
  await user.click(screen.getByRole('button', { name: 'Set up datafile' }));
  expect(screen.getByText('The password must be at least 8 characters.')).toBeInTheDocument();
  expect(fake.setups).toHaveLength(0);

  await user.clear(screen.getByLabelText('Password'));
  await user.type(screen.getByLabelText('Password'), ADMIN.password);
  await user.clear(screen.getByLabelText('Confirm password'));
  await user.type(screen.getByLabelText('Confirm password'), 'something else');
  await user.click(screen.getByRole('button', { name: 'Set up datafile' }));
  expect(screen.getByText('The two passwords are not the same.')).toBeInTheDocument();

  await user.clear(screen.getByLabelText('Confirm password'));
  await user.type(screen.getByLabelText('Confirm password'), ADMIN.password);
  await user.click(screen.getByRole('checkbox', { name: /example data/ }));
  await user.click(screen.getByRole('button', { name: 'Set up datafile' }));
  // The fake desktop stands in for the shell; the in-process core already has this administrator.
  expect(await screen.findByRole('button', { name: 'Log out' })).toBeInTheDocument();
  expect(fake.setups).toEqual([{ userName: ADMIN.userName, password: ADMIN.password, demo: true }]);
});
