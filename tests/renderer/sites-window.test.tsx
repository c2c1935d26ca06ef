import { act, screen, waitFor, within } from '@testing-library/react';
import { viewOnlyMessage } from '../../renderer/session/session-context';
import { siteOfStore, storeIdByCode, viewerOf } from '../helpers/core';
import { inProcessApi, type InProcessApi } from './in-process-api';
import { openSitesWindow } from './render-app';

let world: InProcessApi;
beforeEach(async () => {
  world = await inProcessApi();
});
afterEach(() => world.core.close());

const siteNames = () =>
  within(screen.getByRole('grid', { name: 'Sites' }))
    .getAllByRole('row')
    .slice(1)
    .map((row) => within(row).getAllByRole('gridcell')[2]!.textContent!.replace('active on this datafile', ''));

test('the search box filters the list as you type (the server searches)', async () => {
  const { user } = await openSitesWindow(world);
  await user.type(screen.getByPlaceholderText('Type here to search'), 'ka');
  await waitFor(() => expect(siteNames()).toEqual(['Kawakawa', 'Waikato']));
  expect(world.calls.filter((c) => c.operation === 'listSites').at(-1)!.input).toEqual({ search: 'ka' });
  await user.clear(screen.getByPlaceholderText('Type here to search'));
  await user.type(screen.getByPlaceholderText('Type here to search'), 'no such site');
  expect(await screen.findByText('No site matches the search.')).toBeInTheDocument();
  await user.clear(screen.getByPlaceholderText('Type here to search'));
  await waitFor(() => expect(siteNames()).toHaveLength(5));
});

test('clicking a column header sorts by it, again reverses; the central server site stays first', async () => {
  const { user } = await openSitesWindow(world);
  await user.click(screen.getByRole('button', { name: 'ID' }));
  await waitFor(() => expect(siteNames()).toEqual(['Tamaki Central Synchronisation Server', 'Kawakawa', 'Waikato', 'Auckland Hospital', 'Kopu HC']));
  expect(screen.getByRole('columnheader', { name: 'ID' })).toHaveAttribute('aria-sort', 'ascending');
  await user.click(screen.getByRole('button', { name: 'ID' }));
  await waitFor(() => expect(siteNames()).toEqual(['Tamaki Central Synchronisation Server', 'Kopu HC', 'Auckland Hospital', 'Waikato', 'Kawakawa']));
  expect(screen.getByRole('columnheader', { name: 'ID' })).toHaveAttribute('aria-sort', 'descending');
  await user.click(screen.getByRole('button', { name: 'Site name' }));
  await waitFor(() => expect(siteNames()).toEqual(['Tamaki Central Synchronisation Server', 'Auckland Hospital', 'Kawakawa', 'Kopu HC', 'Waikato']));
});

test('arrow keys move the selection and Enter opens the site', async () => {
  const { user } = await openSitesWindow(world);
  // Opening the window put the focus on the list, with its first row selected.
  expect(screen.getByRole('grid', { name: 'Sites' })).toHaveFocus();
  expect(screen.getByRole('row', { name: /Tamaki Central/ })).toHaveAttribute('aria-selected', 'true');
  await user.click(screen.getByRole('button', { name: 'ID' }));
  await waitFor(() => expect(siteNames()[1]).toBe('Kawakawa'));
  screen.getByRole('grid', { name: 'Sites' }).focus();
  await user.keyboard('{ArrowDown}{ArrowDown}{ArrowUp}');
  expect(screen.getByRole('row', { name: /Kawakawa/ })).toHaveAttribute('aria-selected', 'true');
  await user.keyboard('{Enter}');
  const dialog = await screen.findByRole('dialog', { name: 'Sites' });
  expect(await within(dialog).findByLabelText('Site name')).toHaveValue('Kawakawa');
});

test('Delete is refused in words while the site has stores, and nothing changes', async () => {
  const { user } = await openSitesWindow(world);
  await user.click(screen.getByRole('row', { name: /Waikato/ }));
  await user.click(screen.getByRole('button', { name: 'Delete' }));
  expect(await screen.findByRole('alert')).toHaveTextContent('"Waikato" still has 2 stores. Remove its stores first');
  expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
  expect(world.core.sites.getSite({ siteId: 3 }).name).toBe('Waikato');
});

test('Delete asks first; Cancel keeps the site, confirming deletes it', async () => {
  const { user } = await openSitesWindow(world);
  // Kopu HC's only store goes back to the central server so the site can be deleted.
  world.core.datafile.sqlite.prepare('update store set site_id = 1 where code = ?').run('Kopu');
  await user.click(screen.getByRole('row', { name: /Kopu HC/ }));
  await user.click(screen.getByRole('button', { name: 'Delete' }));
  const confirm = await screen.findByRole('alertdialog');
  expect(confirm).toHaveTextContent('Delete the site "Kopu HC" (site ID 5)? This cannot be undone.');
  expect(within(confirm).getByRole('button', { name: 'Cancel' })).toHaveFocus();
  await user.keyboard('{Escape}');
  await waitFor(() => expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument());
  expect(world.core.sites.listSites({}).rows.map((r) => r.name)).toContain('Kopu HC');

  await user.click(screen.getByRole('button', { name: 'Delete' }));
  await user.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Delete' }));
  await waitFor(() => expect(screen.queryByRole('row', { name: /Kopu HC/ })).not.toBeInTheDocument());
  expect(world.core.sites.listSites({}).rows.map((r) => r.name)).not.toContain('Kopu HC');
});

test('the active site cannot be deleted, and the message says why', async () => {
  const { user } = await openSitesWindow(world);
  await user.click(screen.getByRole('row', { name: /Tamaki/ }));
  await user.click(screen.getByRole('button', { name: 'Delete' }));
  expect(await screen.findByRole('alert')).toHaveTextContent(
    'This is the active site on this datafile and cannot be deleted. That would break your datafile.',
  );
});

test('a user without the permission sees every input and changing button disabled, and why', async () => {
  await viewerOf(world.core);
  const { user } = await openSitesWindow(world, { userName: 'viewer', password: 'just looking 123' });
  expect(screen.getByText(viewOnlyMessage)).toBeInTheDocument();
  expect(screen.getByRole('button', { name: 'New' })).toBeDisabled();
  await user.click(screen.getByRole('row', { name: /Kopu HC/ }));
  expect(screen.getByRole('button', { name: 'Delete' })).toBeDisabled();
  // Searching changes nothing, so a viewer may search.
  expect(screen.getByPlaceholderText('Type here to search')).toBeEnabled();

  await user.dblClick(screen.getByRole('row', { name: /Waikato/ }));
  const dialog = await screen.findByRole('dialog', { name: 'Sites' });
  await within(dialog).findByDisplayValue('Waikato');
  expect(within(dialog).getByText(viewOnlyMessage)).toBeInTheDocument();
  for (const label of ['Site ID', 'Site code', 'Site name', 'Password', 'Hardware ID', 'Type', 'Use js node HTTP client']) {
    expect(within(dialog).getByLabelText(label)).toBeDisabled();
  }
  for (const name of ['Add store', 'Remove store', 'Set site as active', 'Reset hardware ID', 'OK & Next', 'OK']) {
    expect(within(dialog).getByRole('button', { name })).toBeDisabled();
  }
  expect(within(dialog).getByRole('button', { name: 'Cancel' })).toBeEnabled();
  await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
  await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
  expect(siteOfStore(world.core, 'Waikato')).toBe(3);
  expect(storeIdByCode(world.core, 'Waikato')).toBeGreaterThan(0);
});

test('10,000 sites: only the rows on screen are rendered, and search narrows them at the server', async () => {
  const insert = world.core.datafile.sqlite.prepare(
    "insert into site (id, uuid, code, name, name_key, type, is_central) values (?, ?, ?, ?, ?, 'standalone', 0)",
  );
  world.core.datafile.sqlite.transaction(() => {
    for (let id = 6; id < 10_006; id++) insert.run(id, `uuid-${id}`, `S${id}`, `Clinic ${id}`, `clinic ${id}`);
  })();
  const { user } = await openSitesWindow(world);
  expect(await screen.findByText('10,005 sites')).toBeInTheDocument();
  const rendered = within(screen.getByRole('grid', { name: 'Sites' })).getAllByRole('row').length;
  expect(rendered).toBeLessThan(60);
  expect(screen.getByRole('grid', { name: 'Sites' })).toHaveAttribute('aria-rowcount', '10006');
  await user.type(screen.getByPlaceholderText('Type here to search'), 'Clinic 9999');
  // jsdom re-renders the 10,000-row window slowly on a loaded machine; the wait is for that, not the server.
  await waitFor(() => expect(siteNames()).toEqual(['Clinic 9999']), { timeout: 5000 });
  expect(screen.getByText('Showing 1 of 10,005 sites')).toBeInTheDocument();
});

test('a refusal stays on screen while the list refreshes itself, until dismissed or the next action', async () => {
  const { user } = await openSitesWindow(world);
  await user.click(screen.getByRole('row', { name: /Waikato/ }));
  await user.click(screen.getByRole('button', { name: 'Delete' }));
  expect(await screen.findByRole('alert')).toHaveTextContent('still has 2 stores');
  // The window looks again for other administrators' changes (on focus, and every few seconds).
  const lists = world.calls.filter((c) => c.operation === 'listSites').length;
  act(() => {
    window.dispatchEvent(new Event('focus'));
  });
  await waitFor(() => expect(world.calls.filter((c) => c.operation === 'listSites').length).toBeGreaterThan(lists));
  await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
  expect(screen.getByRole('alert')).toHaveTextContent('still has 2 stores');
  await user.click(within(screen.getByRole('alert')).getByRole('button', { name: 'Dismiss' }));
  expect(screen.queryByRole('alert')).not.toBeInTheDocument();
});

test('the device type of a site that never synced is blank', async () => {
  await openSitesWindow(world);
  const typeOf = (name: string) => within(screen.getByRole('row', { name: new RegExp(name) })).getAllByRole('gridcell')[3]!.textContent;
  expect(typeOf('Tamaki Central')).toBe('standalone');
  expect(typeOf('Kawakawa')).toBe('mobile');
  expect(typeOf('Waikato')).toBe('');
  expect(typeOf('Kopu HC')).toBe('');
});
