/** Refused sync changes: the status line counts them, and an administrator reviews and resolves them. */
import { randomUUID } from 'node:crypto';
import { screen, waitFor, within } from '@testing-library/react';
import { setSetting } from '../../db/settings';
import { adminOf, viewerOf } from '../helpers/core';
import { inProcessApi } from './in-process-api';
import { logIn, renderApp } from './render-app';

/** A remote site (Waikato) whose two changes to a store that moved away were refused by the central. */
async function remoteWithRefusedChanges() {
  const world = await inProcessApi({ demo: false });
  const { sqlite } = world.core.datafile;
  await world.core.connection.enableSync(await adminOf(world.core), {
    centralUrl: 'http://127.0.0.1:9',
    siteName: 'Waikato',
    password: 'waikato password',
  });
  sqlite.prepare("insert into site (id, uuid, code, name, name_key) values (3, ?, '3', 'Waikato', 'waikato')").run(randomUUID());
  setSetting(sqlite, 'active_site_id', 3);
  const refuse = sqlite.prepare(
    `insert into remote_out (store_id, table_name, record_id, action, data, refused_at, refused_message)
     values (8, 'store_record', ?, 'insert', ?, '2026-11-20T10:00:00.000Z', ?)`,
  );
  const message = 'Store "Taurangi District Hospital" is no longer active on this site (it is now on "Kopu HC"), so its changes were refused.';
  for (const [code, name] of [
    ['LATE', 'Entered after the move'],
    ['LATE2', 'Also after the move'],
  ]) {
    const id = randomUUID();
    refuse.run(id, JSON.stringify({ id, storeId: 8, itemCode: code, itemName: name, quantity: 1, updatedAt: '2026-11-20T10:00:00.000Z' }), message);
  }
  return world;
}

test('an administrator discards a refused change after confirming, and the count follows', async () => {
  const world = await remoteWithRefusedChanges();
  const { user } = renderApp(world);
  await logIn(user);
  expect(await screen.findByText(/2 records refused by the central server/)).toBeInTheDocument();
  await user.click(screen.getByRole('button', { name: 'Review refused changes' }));
  const dialog = await screen.findByRole('dialog', { name: 'Refused changes' });
  expect(within(dialog).getByRole('row', { name: /LATE Entered after the move/ })).toBeInTheDocument();
  expect(within(dialog).getByText(/no longer active on this site/)).toBeInTheDocument();

  await user.click(within(dialog).getByRole('row', { name: /LATE Entered after the move/ }));
  await user.click(within(dialog).getByRole('button', { name: 'Discard' }));
  const confirm = await screen.findByRole('alertdialog');
  expect(confirm).toHaveTextContent('Discard the selected change? The central server will never receive it');
  await user.click(within(confirm).getByRole('button', { name: 'Discard' }));
  expect(await within(dialog).findByText('1 change discarded.')).toBeInTheDocument();
  expect(within(dialog).queryByRole('row', { name: /LATE Entered after the move/ })).toBeNull();
  expect(world.core.refusedChanges.list().total).toBe(1);

  // Sending the other one again puts it back in the queue, under a new ID.
  const before = world.core.refusedChanges.list().rows[0]!;
  await user.click(within(dialog).getByRole('button', { name: 'Send all again' }));
  expect(await within(dialog).findByText('1 change will be sent again at the next sync.')).toBeInTheDocument();
  const queued = world.core.datafile.sqlite.prepare('select id, refused_at as refusedAt from remote_out').all() as {
    id: number;
    refusedAt: string | null;
  }[];
  expect(queued).toHaveLength(1);
  expect(queued[0]!.id).toBeGreaterThan(before.id);
  expect(queued[0]!.refusedAt).toBeNull();

  await user.click(within(dialog).getByRole('button', { name: 'Close' }));
  await waitFor(() => expect(screen.queryByText(/refused by the central server/)).toBeNull());
});

test('a user without the permission may look at refused changes but not resolve them', async () => {
  const world = await remoteWithRefusedChanges();
  await viewerOf(world.core);
  const { user } = renderApp(world);
  await logIn(user, { userName: 'viewer', password: 'just looking 123' });
  await user.click(await screen.findByRole('button', { name: 'Review refused changes' }));
  const dialog = await screen.findByRole('dialog', { name: 'Refused changes' });
  expect(await within(dialog).findByRole('row', { name: /LATE2 Also after the move/ })).toBeInTheDocument();
  expect(within(dialog).getByRole('button', { name: 'Send all again' })).toBeDisabled();
  expect(within(dialog).getByRole('button', { name: 'Discard all' })).toBeDisabled();
  expect(world.core.refusedChanges.list().total).toBe(2);
});
