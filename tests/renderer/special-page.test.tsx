/** The Special page's sync settings: Enabling sync with Check connection, and the in-app central server. */
import { screen, waitFor } from '@testing-library/react';
import { getSetting } from '../../db/settings';
import path from 'node:path';
import { openCore } from '../../main/core';
import { ADMIN, fastHasher, tempDir, viewerOf } from '../helpers/core';
import { nodeHttpSyncClient } from '../helpers/node-http-sync-client';
import { apiOver, type InProcessApi, inProcessApi } from './in-process-api';
import { logIn, renderApp } from './render-app';

test('a central server datafile in use offers no Enabling sync', async () => {
  const world = await inProcessApi({ demo: true });
  const { user } = renderApp(world);
  await logIn(user);
  await screen.findByText(/This datafile is the central server/);
  expect(screen.queryByRole('heading', { name: 'Enabling sync' })).toBeNull();
  // Where the app runs no central server itself (a browser, the headless server), nothing about it.
  expect(screen.queryByRole('heading', { name: 'Central server' })).toBeNull();
});

test('Enabling sync on a new datafile: the URL is checked, only the SHA-256 is kept, Check connection answers in words', async () => {
  // A new datafile whose remote side talks node:http (jsdom has no fetch), retrying briefly.
  const core = await openCore(path.join(tempDir('enable-sync-'), 'new.sqlite'), {
    create: true,
    hasher: fastHasher,
    setup: { admin: ADMIN },
    remote: { hardwareId: 'test-device', nodeClient: nodeHttpSyncClient(), retry: { attempts: 2, retryPauseMs: 10 } },
  });
  const world = apiOver(core);
  const { user } = renderApp(world);
  await logIn(user);
  await screen.findByRole('heading', { name: 'Enabling sync' });
  await user.type(screen.getByLabelText('Central server URL'), 'ftp://central.example.org');
  await user.type(screen.getByLabelText('Site name'), 'Waikato');
  await user.type(screen.getByLabelText('Password', { selector: 'input[autocomplete="new-password"]' }), 'waikato password');
  await user.click(screen.getByRole('button', { name: 'Enable sync' }));
  expect(await screen.findByText(/Invalid url: enter an http:\/\/ or https:\/\/ address/)).toBeInTheDocument();
  expect(getSetting(world.core.datafile.sqlite, 'remote_sync')).toBeUndefined();

  await user.clear(screen.getByLabelText('Central server URL'));
  await user.type(screen.getByLabelText('Central server URL'), 'http://127.0.0.1:9');
  await user.click(screen.getByRole('button', { name: 'Enable sync' }));
  expect(await screen.findByText(/Sync is enabled/)).toBeInTheDocument();
  const stored = getSetting(world.core.datafile.sqlite, 'remote_sync')!;
  expect(stored).toMatchObject({ centralUrl: 'http://127.0.0.1:9', siteName: 'Waikato' });
  expect(JSON.stringify(stored)).not.toContain('waikato password');
  expect(screen.getByLabelText('Password', { selector: 'input[autocomplete="new-password"]' })).toHaveValue('');

  // Nothing listens on port 9: the answer is in words, and the settings stay as they were.
  await user.click(screen.getByRole('button', { name: 'Check connection' }));
  expect(await screen.findByText(/Unable to connect to server/, {}, { timeout: 5000 })).toBeInTheDocument();
  expect(getSetting(world.core.datafile.sqlite, 'remote_sync')).toEqual(stored);
}, 30_000);

test('the central server inside the desktop app shows its port, and an administrator moves it', async () => {
  let reconciled = 0;
  const world: InProcessApi = await inProcessApi({
    demo: true,
    centralServer: {
      status: () => {
        const port = getSetting(world.core.datafile.sqlite, 'central_server_port') ?? 2048;
        return { running: true, port, url: `http://0.0.0.0:${port}`, problem: null };
      },
      reconcile: async () => {
        reconciled += 1;
      },
    },
  });
  const { user } = renderApp(world);
  await logIn(user);
  expect(await screen.findByText('Remote sites can sync with this datafile on port 2048.')).toBeInTheDocument();
  const port = screen.getByLabelText('Central server port');
  await user.clear(port);
  await user.type(port, '2050');
  await user.click(screen.getByRole('button', { name: 'Set port' }));
  expect(await screen.findByText('Remote sites can sync with this datafile on port 2050.')).toBeInTheDocument();
  expect(getSetting(world.core.datafile.sqlite, 'central_server_port')).toBe(2050);
  expect(reconciled).toBe(1);

  await user.clear(port);
  await user.type(port, '0');
  await user.click(screen.getByRole('button', { name: 'Set port' }));
  expect(await screen.findByText(/The port must be from 1 to 65535/)).toBeInTheDocument();
  expect(getSetting(world.core.datafile.sqlite, 'central_server_port')).toBe(2050);
});

test('a user without the permission sees the sync settings but cannot change them', async () => {
  const world = await inProcessApi({ demo: false });
  await viewerOf(world.core);
  const { user } = renderApp(world);
  await logIn(user, { userName: 'viewer', password: 'just looking 123' });
  await screen.findByRole('heading', { name: 'Enabling sync' });
  await waitFor(() => expect(screen.getByLabelText('Central server URL')).toBeDisabled());
  expect(screen.getByLabelText('Site name')).toBeDisabled();
  expect(screen.queryByRole('button', { name: 'Enable sync' })).toBeNull();
});
