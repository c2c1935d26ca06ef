/**
 * File > Connect to server... in the window: the address (the last one offered again), Connect and
 * Cancel, errors in words, and after connecting the app starting again on the server, logged out.
 */
import { act, screen, within } from '@testing-library/react';
import type { DatafileStatus, DesktopCommands, MenuCommand } from '../../shared/bridge';
import type { SyncSitesApi } from '../../shared/contract';
import { operationNames } from '../../shared/contract';
import { appError, type Result } from '../../shared/errors';
import { ADMIN, type InProcessApi, inProcessApi } from './in-process-api';
import { logIn, renderApp } from './render-app';

const SERVER = 'http://server:2048';

/**
 * The shell as main would be: one API whose calls go to the local datafile until connectToServer
 * succeeds, then to the server's.
 */
function desktopShell(local: InProcessApi, server: InProcessApi, lastUrl: string | null) {
  let current = local;
  let location = '/data/local.sqlite';
  const listeners = new Set<(command: MenuCommand) => void>();
  const deviceLanguages: string[] = [];
  const connectCalls: string[] = [];
  const api = Object.fromEntries(
    operationNames.map((operation) => [
      operation,
      (input: unknown) => (current.api[operation] as (input: unknown) => Promise<Result<unknown>>)(input),
    ]),
  ) as unknown as SyncSitesApi;
  const status = (): Result<DatafileStatus> => ({ ok: true, value: { location, open: true, needsSetup: false } });
  const desktop: DesktopCommands = {
    datafileStatus: async () => status(),
    setUpDatafile: async () => ({ ok: false, error: appError('validation_failed', 'This datafile is already set up.') }),
    lastServerUrl: async () => ({ ok: true, value: lastUrl }),
    connectToServer: async ({ url }) => {
      connectCalls.push(url);
      if (url.trim() !== SERVER) {
        return {
          ok: false,
          error: appError('server_unreachable', `Unable to reach the server at ${url.trim()}. Check the address and the network.`),
        };
      }
      current = server;
      location = SERVER;
      return status();
    },
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
  const send = (command: MenuCommand) => act(() => listeners.forEach((l) => l(command)));
  return { api, desktop, send, connectCalls, deviceLanguages };
}

let local: InProcessApi;
let server: InProcessApi;
beforeEach(async () => {
  local = await inProcessApi({ demo: false });
  server = await inProcessApi({ demo: true });
});
afterEach(() => {
  local.core.close();
  server.core.close();
});

test('connects from the login screen, offering the last address, and logs in to the server', async () => {
  const shell = desktopShell(local, server, SERVER);
  const { user } = renderApp({ ...local, api: shell.api }, shell.desktop);
  expect(await screen.findByText('Datafile: /data/local.sqlite')).toBeInTheDocument();

  shell.send('connect-to-server');
  const dialog = await screen.findByRole('dialog', { name: 'Connect to server' });
  const address = within(dialog).getByLabelText('Server address');
  expect(address).toHaveFocus();
  await screen.findByDisplayValue(SERVER);

  await user.click(within(dialog).getByRole('button', { name: 'Connect' }));
  expect(await screen.findByText(`Server: ${SERVER}`)).toBeInTheDocument();
  expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  expect(shell.connectCalls).toEqual([SERVER]);

  await logIn(user);
  // The server's datafile (the documentation's demo system), not the empty local one.
  await user.click(screen.getByRole('button', { name: 'Synchronisation' }));
  expect(await screen.findByRole('row', { name: /Kawakawa/ })).toBeInTheDocument();
  expect(server.calls.some((c) => c.operation === 'listSites')).toBe(true);
  expect(local.calls.some((c) => c.operation === 'listSites')).toBe(false);
});

test('says in words why it could not connect, keeps the datafile, and Cancel closes the window', async () => {
  const shell = desktopShell(local, server, null);
  const { user } = renderApp({ ...local, api: shell.api }, shell.desktop);
  await logIn(user);

  shell.send('connect-to-server');
  const dialog = await screen.findByRole('dialog', { name: 'Connect to server' });
  const address = within(dialog).getByLabelText('Server address');
  expect(address).toHaveValue('');
  await user.type(address, 'http://wrong:2048');
  await user.click(within(dialog).getByRole('button', { name: 'Connect' }));
  expect(await within(dialog).findByRole('alert')).toHaveTextContent(
    'Unable to reach the server at http://wrong:2048. Check the address and the network.',
  );
  // What was typed stays, to be corrected.
  expect(address).toHaveValue('http://wrong:2048');

  await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
  expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  // Still logged in to the local datafile, exactly as before.
  expect(screen.getByText(`Logged in as ${ADMIN.userName}`)).toBeInTheDocument();
});

test('connecting while logged in to the local datafile asks for a login on the server', async () => {
  const shell = desktopShell(local, server, null);
  const { user } = renderApp({ ...local, api: shell.api }, shell.desktop);
  await logIn(user);

  shell.send('connect-to-server');
  const dialog = await screen.findByRole('dialog', { name: 'Connect to server' });
  await user.type(within(dialog).getByLabelText('Server address'), `${SERVER}{Enter}`);
  expect(await screen.findByRole('heading', { name: 'Log in' })).toBeInTheDocument();
  expect(screen.getByText(`Server: ${SERVER}`)).toBeInTheDocument();
  expect(screen.queryByRole('button', { name: 'Log out' })).not.toBeInTheDocument();
});
