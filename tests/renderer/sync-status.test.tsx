/**
 * The sync status line and Sync now on a remote datafile, against a real central server on
 * 127.0.0.1. jsdom has no fetch, so the remote's client here is node:http.
 */
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { screen, waitFor, within } from '@testing-library/react';
import type { FastifyInstance } from 'fastify';
import { type Core, openCore } from '../../main/core';
import { nodeHttpSyncClient } from '../helpers/node-http-sync-client';
import { createCentralServer } from '../../main/sync/central/sync-server';
import { ADMIN, adminOf, fastHasher, newCore, tempDir, unchangedDraft } from '../helpers/core';
import { apiOver, type InProcessApi } from './in-process-api';
import { logIn, renderApp } from './render-app';

let central: Core;
let server: FastifyInstance;
let remote: InProcessApi;
let reachable = true;
let delayMs = 0;

/** Sync calls over node:http to the central; `reachable = false` is a dropped network. */
function httpClient() {
  return nodeHttpSyncClient({
    port: () => (server.server.address() as AddressInfo).port,
    reachable: () => reachable,
    delayMs: () => delayMs,
  });
}

beforeEach(async () => {
  reachable = true;
  delayMs = 0;
  central = await newCore({ demo: true });
  const admin = await adminOf(central);
  await central.sites.saveSite(admin, { ...unchangedDraft(central, 3), password: 'waikato password' });
  server = createCentralServer(central, { connectionRecordIntervalMs: 0 });
  await server.listen({ host: '127.0.0.1', port: 0 });
  const core = await openCore(path.join(tempDir('remote-'), 'remote.sqlite'), {
    create: true,
    hasher: fastHasher,
    setup: { admin: ADMIN },
    remote: { hardwareId: 'renderer-device', nodeClient: httpClient(), retry: { attempts: 1, busyWaitMs: 10 }, syncRunner: { statusPollMs: 5 } },
  });
  await core.connection.enableSync(await adminOf(core), { centralUrl: 'http://127.0.0.1:2048', siteName: 'Waikato', password: 'waikato password' });
  remote = apiOver(core);
});

afterEach(async () => {
  remote.core.close();
  await server.close();
  central.close();
});

/** What the status shows beside one of its labels ("Last attempt", "Waiting to go out", ...). */
function fact(status: HTMLElement, label: string): string {
  const term = within(status).getByText(label, { selector: 'dt' });
  return term.nextElementSibling?.textContent ?? '';
}

async function openNavigator() {
  const rendered = renderApp(remote);
  await logIn(rendered.user);
  return { ...rendered, status: await screen.findByRole('region', { name: 'Sync status' }) };
}

test('Sync now shows progress, then the last successful sync and what is waiting', async () => {
  const { user, status } = await openNavigator();
  expect(status).toHaveTextContent('Not initialised yet');
  expect(fact(status, 'Last successful sync')).toBe('never');
  expect(fact(status, 'Last attempt')).toBe('never');

  delayMs = 40;
  await user.click(within(status).getByRole('button', { name: 'Sync now' }));
  expect(await within(status).findByRole('list', { name: 'Sync steps' })).toBeInTheDocument();
  expect(within(status).getByRole('button', { name: 'Sync now' })).toBeDisabled();
  await waitFor(() => expect(within(status).queryByRole('list', { name: 'Sync steps' })).not.toBeInTheDocument(), { timeout: 10_000 });
  expect(fact(status, 'Last successful sync')).not.toBe('never');
  expect(fact(status, 'Last attempt')).not.toBe('never');
  expect(fact(status, 'Waiting to go out')).toBe('0 records');
  expect(fact(status, 'Waiting to come in')).toBe('0 records');
  expect(status).not.toHaveTextContent('Not initialised yet');
  expect(within(status).queryByRole('alert')).not.toBeInTheDocument();

  // The datafile is now Waikato, with its two stores and their data.
  await user.click(screen.getByRole('button', { name: 'Stock' }));
  const store = await screen.findByLabelText('Store');
  await waitFor(() =>
    expect(
      within(store)
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual(['Taurangi District Hospital (TAU_DH)', 'Waikato District Store (Waikato)']),
  );
});

test('offline: the error is shown in words and changes made here wait to go out', async () => {
  await remote.core.syncRunner.syncNow();
  reachable = false;
  const admin = await adminOf(remote.core);
  const storeId = remote.core.stock.listStores()[0]!.storeId;
  remote.core.stock.saveLine(admin, { storeId, lineId: null, itemCode: 'OFF', itemName: 'Entered offline', quantity: 1 });

  const { user, status } = await openNavigator();
  expect(fact(status, 'Waiting to go out')).toBe('1 record');
  const succeeded = fact(status, 'Last successful sync');
  await user.click(within(status).getByRole('button', { name: 'Sync now' }));
  expect(await within(status).findByRole('alert')).toHaveTextContent(
    'Last sync failed: Unable to connect to server. Changes made here are kept and will be sent on the next sync.',
  );
  // With what to do about it; and the last attempt is told apart from the last success.
  expect(within(status).getByText(/^What to do: Check the central server URL under Enabling sync/)).toBeInTheDocument();
  expect(fact(status, 'Last successful sync')).toBe(succeeded);
  expect(fact(status, 'Waiting to go out')).toBe('1 record');

  reachable = true;
  await user.click(within(status).getByRole('button', { name: 'Sync now' }));
  await waitFor(() => expect(fact(status, 'Waiting to go out')).toBe('0 records'));
  expect(within(status).queryByRole('alert')).not.toBeInTheDocument();
  expect(central.datafile.sqlite.prepare("select quantity from store_record where item_code = 'OFF'").pluck().get()).toBe(1);
});

test('the sync interval: 0 pauses automatic sync; a user without the sync permission cannot change it', async () => {
  const { user, status } = await openNavigator();
  const interval = within(status).getByLabelText('Sync every (minutes)');
  expect(interval).toHaveValue(10);
  await user.clear(interval);
  await user.type(interval, '0');
  await user.click(within(status).getByRole('button', { name: 'Set interval' }));
  await waitFor(() => expect(fact(status, 'Next automatic sync')).toBe('paused'));
  expect(remote.core.syncRunner.intervalMinutes()).toBe(0);
});

test('after its first sync a remote datafile shows sites view-only, naming the central server; its own site shows what the central knows', async () => {
  await remote.core.syncRunner.syncNow();
  const { user } = await openNavigator();
  await user.click(screen.getByRole('button', { name: 'Synchronisation' }));
  await screen.findByRole('row', { name: /Waikato/ });
  expect(
    screen.getByText(
      'Sites are edited on the central server, "Tamaki Central Synchronisation Server". This datafile is the remote site "Waikato" and shows the sites as the central server sent them.',
    ),
  ).toBeInTheDocument();
  expect(screen.getByRole('button', { name: 'New' })).toBeDisabled();
  await user.dblClick(screen.getByRole('row', { name: /Waikato/ }));
  const dialog = await screen.findByRole('dialog', { name: 'Sites' });
  expect(await within(dialog).findByLabelText('Site name')).toBeDisabled();
  expect(within(dialog).getByLabelText('Hardware ID')).toHaveValue('renderer-device');
  expect(within(dialog).getByLabelText('Password')).toHaveAttribute('placeholder', 'Kept on the central server.');
  expect(within(dialog).getByRole('button', { name: 'Add store' })).toBeDisabled();
});

test('Re-initialise asks first; confirmed, it fetches everything again', async () => {
  await remote.core.syncRunner.syncNow();
  const { user, status } = await openNavigator();
  await user.click(within(status).getByRole('button', { name: 'Re-initialise' }));
  const ask = await screen.findByRole('alertdialog');
  expect(ask).toHaveTextContent('Re-initialise "Waikato"? This datafile fetches all of the site\'s data again from the central server.');
  await user.click(within(ask).getByRole('button', { name: 'Cancel' }));
  expect(remote.core.datafile.sqlite.prepare('select count(*) from store_record').pluck().get()).toBe(8);

  await user.click(within(status).getByRole('button', { name: 'Re-initialise' }));
  await user.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Re-initialise' }));
  await waitFor(() => expect(remote.core.datafile.sqlite.prepare('select count(*) from store_record').pluck().get()).toBe(8), { timeout: 10_000 });
  await waitFor(() => expect(within(status).getByRole('button', { name: 'Re-initialise' })).toBeEnabled());
  expect(within(status).queryByRole('alert')).not.toBeInTheDocument();
  expect(fact(status, 'Waiting to come in')).toBe('0 records');
});
