/**
 * The Users window: reachable from the Navigator; New user and Edit user with a Details and a
 * Permissions tab whose "Admin" is the permission to edit sync settings; a password typed twice;
 * one's own Admin permission cannot be removed; non-administrators are told who can help.
 */
import { screen, waitFor, within } from '@testing-library/react';
import { EDIT_SYNC_SETTINGS } from '../../main/services/actor';
import { viewerOf } from '../helpers/core';
import { inProcessApi, type InProcessApi } from './in-process-api';
import { logIn, renderApp } from './render-app';

let world: InProcessApi;
beforeEach(async () => {
  world = await inProcessApi();
});
afterEach(() => world.core.close());

async function openUsers(credentials?: { userName: string; password: string }) {
  const rendered = renderApp(world);
  await logIn(rendered.user, credentials);
  await rendered.user.click(within(screen.getByRole('navigation', { name: 'Navigator' })).getByRole('button', { name: 'Users' }));
  return rendered;
}

test('Navigator > Users lists the users; the list has the focus', async () => {
  await openUsers();
  const row = await screen.findByRole('row', { name: /admin/ });
  expect(row).toHaveTextContent('Admin');
  expect(row).toHaveTextContent('you');
  expect(row).toHaveTextContent('Enabled');
  expect(screen.getByRole('grid', { name: 'Users' })).toHaveFocus();
});

test('New user with the Admin permission: they can then edit sync settings', async () => {
  const { user } = await openUsers();
  await user.click(screen.getByRole('button', { name: 'New' }));
  const dialog = await screen.findByRole('dialog', { name: 'New user' });
  expect(within(dialog).getByLabelText('User name')).toHaveFocus();
  await user.type(within(dialog).getByLabelText('User name'), 'Mere');
  await user.type(within(dialog).getByLabelText('Password'), 'mere password');
  await user.type(within(dialog).getByLabelText('Confirm password'), 'mere password');
  await user.click(within(dialog).getByRole('tab', { name: 'Permissions' }));
  const admin = within(dialog).getByRole('checkbox', { name: 'Admin' });
  expect(admin).toHaveAccessibleDescription(/Edit sync settings/);
  await user.click(admin);
  await user.click(within(dialog).getByRole('button', { name: 'OK' }));
  await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
  expect(await screen.findByRole('row', { name: /Mere/ })).toHaveTextContent('Admin');
  const mere = await world.core.users.authenticate('Mere', 'mere password');
  expect(mere.permissions.has(EDIT_SYNC_SETTINGS)).toBe(true);
  // Closing the window put the focus back on the list.
  await waitFor(() => expect(screen.getByRole('grid', { name: 'Users' })).toHaveFocus());
});

test('the two passwords must match; nothing is saved until they do', async () => {
  const { user } = await openUsers();
  await user.click(screen.getByRole('button', { name: 'New' }));
  const dialog = await screen.findByRole('dialog', { name: 'New user' });
  await user.type(within(dialog).getByLabelText('User name'), 'Mere');
  await user.type(within(dialog).getByLabelText('Password'), 'mere password');
  await user.type(within(dialog).getByLabelText('Confirm password'), 'mere passwrod');
  await user.click(within(dialog).getByRole('button', { name: 'OK' }));
  expect(within(dialog).getByLabelText('Confirm password')).toHaveAccessibleDescription(/not the same/);
  expect(world.core.users.userCount()).toBe(1);
});

test('Edit user: a new password and Disabled; your own Admin permission cannot be removed', async () => {
  const admin = await world.core.users.authenticate('admin', 'correct horse battery');
  await world.core.users.saveUser(admin, { userId: null, name: 'Mere', password: 'mere password', admin: false, disabled: false });
  const { user } = await openUsers();
  await user.dblClick(await screen.findByRole('row', { name: /admin/ }));
  let dialog = await screen.findByRole('dialog', { name: 'Edit user' });
  await user.click(within(dialog).getByRole('tab', { name: 'Permissions' }));
  expect(within(dialog).getByRole('checkbox', { name: 'Admin' })).toBeDisabled();
  expect(within(dialog).getByText(/cannot remove your own Admin permission/)).toBeInTheDocument();
  await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));

  await user.dblClick(await screen.findByRole('row', { name: /Mere/ }));
  dialog = await screen.findByRole('dialog', { name: 'Edit user' });
  await waitFor(() => expect(within(dialog).getByLabelText('User name')).toHaveValue('Mere'));
  await user.type(within(dialog).getByLabelText('Password'), 'a new password');
  await user.type(within(dialog).getByLabelText('Confirm password'), 'a new password');
  await user.click(within(dialog).getByRole('checkbox', { name: /Disabled/ }));
  await user.click(within(dialog).getByRole('button', { name: 'OK' }));
  expect(await screen.findByRole('row', { name: /Mere/ })).toHaveTextContent('Disabled');
  await expect(world.core.users.authenticate('Mere', 'a new password')).rejects.toMatchObject({ error: { code: 'user_disabled' } });
});

test('a user without the Admin permission is told who can give it', async () => {
  await viewerOf(world.core);
  await openUsers({ userName: 'viewer', password: 'just looking 123' });
  expect(await screen.findByText(/Only administrators manage users/)).toBeInTheDocument();
  expect(screen.queryByRole('grid', { name: 'Users' })).not.toBeInTheDocument();
});
