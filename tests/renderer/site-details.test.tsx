import { screen, waitFor, within } from '@testing-library/react';
import { errorMessages } from '../../shared/errors';
import { setSetting } from '../../db/settings';
import { sha256Hex } from '../../main/services/passwords';
import { dumpContent, siteOfStore } from '../helpers/core';
import { inProcessApi, type InProcessApi } from './in-process-api';
import { openSitesWindow } from './render-app';

let world: InProcessApi;
beforeEach(async () => {
  world = await inProcessApi();
});
afterEach(() => world.core.close());

type User = Awaited<ReturnType<typeof openSitesWindow>>['user'];

async function openSite(user: User, name: string) {
  await user.dblClick(screen.getByRole('row', { name: new RegExp(name) }));
  const dialog = await screen.findByRole('dialog', { name: 'Sites' });
  await within(dialog).findByDisplayValue(name);
  return dialog;
}

const siteByName = (name: string) => world.core.sites.listSites({ search: name }).rows.find((r) => r.name === name);

test('New creates a site with a password; it appears in the list and the password is never shown', async () => {
  const { user } = await openSitesWindow(world);
  await user.click(screen.getByRole('button', { name: 'New' }));
  const dialog = await screen.findByRole('dialog', { name: 'Sites' });
  expect(await within(dialog).findByLabelText('Site ID')).toHaveValue('6');
  expect(within(dialog).getByLabelText('Password')).toHaveAttribute('placeholder', 'No password is set. Type one to set it.');
  expect(within(dialog).getByRole('button', { name: 'Set site as active' })).toBeDisabled();
  await user.type(within(dialog).getByLabelText('Site name'), 'Opua Clinic');
  await user.type(within(dialog).getByLabelText('Password'), 'opua secret 1');
  await user.selectOptions(within(dialog).getByLabelText('Type'), 'mobile');
  await user.click(within(dialog).getByRole('button', { name: 'OK' }));

  await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
  const row = await screen.findByRole('row', { name: /Opua Clinic/ });
  // Its device type stays blank until the site syncs (the type is what the syncing app reports).
  expect(row).not.toHaveTextContent('mobile');
  const saved = world.core.sites.getSite({ siteId: 6 });
  expect(saved).toMatchObject({ name: 'Opua Clinic', type: 'mobile', hasPassword: true });
  const stored = world.core.datafile.sqlite.prepare('select password_hash as h from site where id = 6').get() as { h: string };
  expect(await world.core.hasher.verifySitePasswordSha256(sha256Hex('opua secret 1'), stored.h)).toBe(true);

  await user.dblClick(row);
  const again = await screen.findByRole('dialog', { name: 'Sites' });
  await within(again).findByDisplayValue('Opua Clinic');
  expect(within(again).getByLabelText('Password')).toHaveValue('');
  expect(within(again).getByLabelText('Password')).toHaveAttribute('placeholder', 'A password is set. Type a new one to change it.');
});

test('a missing site name is shown next to the field and nothing is saved', async () => {
  const { user } = await openSitesWindow(world);
  await user.click(screen.getByRole('button', { name: 'New' }));
  const dialog = await screen.findByRole('dialog', { name: 'Sites' });
  await within(dialog).findByLabelText('Site name');
  await user.click(within(dialog).getByRole('button', { name: 'OK' }));
  const name = within(dialog).getByLabelText('Site name');
  expect(name).toHaveAttribute('aria-invalid', 'true');
  expect(name).toHaveAccessibleDescription(expect.stringContaining(errorMessages.site_name_required));
  expect(world.core.sites.listSites({}).total).toBe(5);
});

test('Cancel discards a draft that added and removed stores: the datafile is unchanged', async () => {
  const before = dumpContent(world.core);
  const { user } = await openSitesWindow(world);
  const dialog = await openSite(user, 'Waikato');
  const stores = within(dialog).getByRole('grid', { name: 'Stores of this site' });
  expect(
    within(stores)
      .getAllByRole('row')
      .slice(1)
      .map((r) => r.textContent),
  ).toEqual(['Taurangi District Hospital', 'Waikato District Store']);
  await user.click(within(stores).getByRole('row', { name: 'Waikato District Store' }));
  await user.click(within(dialog).getByRole('button', { name: 'Remove store' }));
  expect(within(stores).queryByRole('row', { name: 'Waikato District Store' })).not.toBeInTheDocument();

  await user.click(within(dialog).getByRole('button', { name: 'Add store' }));
  const picker = await screen.findByRole('dialog', { name: 'Select a store to move to this site' });
  await user.dblClick(await within(picker).findByRole('row', { name: /Opua Health Centre/ }));
  await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Select a store to move to this site' })).not.toBeInTheDocument());
  expect(within(stores).getByRole('row', { name: 'Opua Health Centre' })).toBeInTheDocument();
  await user.type(within(dialog).getByLabelText('Site name'), ' Region');

  await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
  await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
  expect(dumpContent(world.core)).toBe(before);
  expect(world.calls.map((c) => c.operation)).not.toContain('saveSite');
});

test('removing a store and adding it back nets out: OK saves no store change', async () => {
  const { user } = await openSitesWindow(world);
  const dialog = await openSite(user, 'Waikato');
  const stores = within(dialog).getByRole('grid', { name: 'Stores of this site' });
  await user.click(within(stores).getByRole('row', { name: 'Waikato District Store' }));
  await user.click(within(dialog).getByRole('button', { name: 'Remove store' }));
  await user.click(within(dialog).getByRole('button', { name: 'Add store' }));
  const picker = await screen.findByRole('dialog', { name: 'Select a store to move to this site' });
  await user.type(within(picker).getByPlaceholderText('Type here to search'), 'Waikato');
  await waitFor(() => expect(within(picker).getAllByRole('row')).toHaveLength(2));
  await user.click(within(picker).getByRole('row', { name: /Waikato District Store/ }));
  await user.click(within(picker).getByRole('button', { name: 'OK' }));
  await user.click(within(dialog).getByRole('button', { name: 'OK' }));
  await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
  const save = world.calls.find((c) => c.operation === 'saveSite')!.input as { addStoreIds: number[]; removeStoreIds: number[] };
  expect(save.addStoreIds).toEqual([]);
  expect(save.removeStoreIds).toEqual([]);
  expect(siteOfStore(world.core, 'Waikato')).toBe(3);
});

test('the store picker moves a store from the central server without asking', async () => {
  const { user } = await openSitesWindow(world);
  const dialog = await openSite(user, 'Waikato');
  await user.click(within(dialog).getByRole('button', { name: 'Add store' }));
  const picker = await screen.findByRole('dialog', { name: 'Select a store to move to this site' });
  for (const header of ['Store code', 'Store name', 'Current site']) {
    expect(within(picker).getByRole('columnheader', { name: header })).toBeInTheDocument();
  }
  // Stores already in the draft are not offered again.
  await within(picker).findByRole('row', { name: /Opua/ });
  expect(within(picker).queryByRole('row', { name: /Waikato District Store/ })).not.toBeInTheDocument();
  expect(within(picker).getByRole('row', { name: /Opua Health Centre/ })).toHaveTextContent('Tamaki Central Synchronisation Server');
  await user.click(within(picker).getByRole('row', { name: /Opua Health Centre/ }));
  await user.click(within(picker).getByRole('button', { name: 'OK' }));
  await user.click(within(dialog).getByRole('button', { name: 'OK' }));
  await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
  expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
  expect(siteOfStore(world.core, 'Opua')).toBe(3);
});

test('moving a store from Kawakawa (a remote site in active use) asks first; Cancel keeps the draft open and unsaved', async () => {
  const { user } = await openSitesWindow(world);
  const dialog = await openSite(user, 'Waikato');
  await user.click(within(dialog).getByRole('button', { name: 'Add store' }));
  const picker = await screen.findByRole('dialog', { name: 'Select a store to move to this site' });
  await user.dblClick(await within(picker).findByRole('row', { name: /Kawakawa Health Centre/ }));
  await user.click(within(dialog).getByRole('button', { name: 'OK' }));

  const confirm = await screen.findByRole('alertdialog');
  expect(confirm).toHaveTextContent('Kawakawa Health Centre (on Kawakawa) is on a remote site in active use.');
  expect(within(confirm).getByRole('button', { name: 'Cancel' })).toHaveFocus();
  await user.keyboard('{Enter}');
  await waitFor(() => expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument());
  expect(siteOfStore(world.core, 'Kawakawa')).toBe(2);
  expect(screen.getByRole('dialog', { name: 'Sites' })).toBeInTheDocument();

  await user.click(within(dialog).getByRole('button', { name: 'OK' }));
  await user.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Save anyway' }));
  await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
  expect(siteOfStore(world.core, 'Kawakawa')).toBe(3);
});

test('renaming an active site asks first, then renames it', async () => {
  const { user } = await openSitesWindow(world);
  const dialog = await openSite(user, 'Kawakawa');
  expect(within(dialog).getByLabelText('Hardware ID')).toHaveValue('demo-tablet-hardware-id');
  const name = within(dialog).getByLabelText('Site name');
  await user.clear(name);
  await user.type(name, 'Kawakawa North{Enter}');
  const confirm = await screen.findByRole('alertdialog');
  expect(confirm).toHaveTextContent('"Kawakawa" is in active use. If you change its site name, the remote site will stop syncing');
  await user.click(within(confirm).getByRole('button', { name: 'Save anyway' }));
  await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
  expect(await screen.findByRole('row', { name: /Kawakawa North/ })).toBeInTheDocument();
  expect(world.core.sites.getSite({ siteId: 2 }).name).toBe('Kawakawa North');
  const sent = world.calls.filter((c) => c.operation === 'saveSite').map((c) => (c.input as { confirmations: string[] }).confirmations);
  expect(sent).toEqual([[], ['rename_active_site']]);
});

test('OK & Next saves and opens the next site in the list order', async () => {
  const { user } = await openSitesWindow(world);
  await user.click(screen.getByRole('button', { name: 'ID' }));
  await waitFor(() => expect(screen.getAllByRole('row')[2]).toHaveTextContent('Kawakawa'));
  const dialog = await openSite(user, 'Waikato');
  const code = within(dialog).getByLabelText('Site code');
  await user.clear(code);
  await user.type(code, 'WKT');
  await user.click(within(dialog).getByRole('button', { name: 'OK & Next' }));
  const next = await screen.findByRole('dialog', { name: 'Sites' });
  expect(await within(next).findByDisplayValue('Auckland Hospital')).toBeInTheDocument();
  expect(world.core.sites.getSite({ siteId: 3 }).code).toBe('WKT');
  // Behind the dialog, the list has moved its selection to the site being shown.
  const list = document.querySelector<HTMLElement>('[role="grid"][aria-label="Sites"]')!;
  await waitFor(() => expect(within(list).getByText('Auckland Hospital').closest('[role="row"]')).toHaveAttribute('aria-selected', 'true'));
});

test('OK & Next on a new site saves it and opens a fresh new-site draft', async () => {
  const { user } = await openSitesWindow(world);
  await user.click(screen.getByRole('button', { name: 'New' }));
  let dialog = await screen.findByRole('dialog', { name: 'Sites' });
  await user.type(await within(dialog).findByLabelText('Site name'), 'Opua Clinic');
  await user.click(within(dialog).getByRole('button', { name: 'OK & Next' }));
  await waitFor(() => expect(siteByName('Opua Clinic')).toBeDefined());
  dialog = await screen.findByRole('dialog', { name: 'Sites' });
  await waitFor(() => expect(within(dialog).getByLabelText('Site ID')).toHaveValue('7'));
  expect(within(dialog).getByLabelText('Site name')).toHaveValue('');
});

test('a site changed by someone else since it was opened offers Reload site', async () => {
  const { user } = await openSitesWindow(world);
  const dialog = await openSite(user, 'Waikato');
  world.core.datafile.sqlite.prepare("update site set code = 'OTHER', version = version + 1 where id = 3").run();
  await user.type(within(dialog).getByLabelText('Site name'), ' Region');
  await user.click(within(dialog).getByRole('button', { name: 'OK' }));
  expect(await within(dialog).findByRole('alert')).toHaveTextContent(errorMessages.site_changed);
  await user.click(within(dialog).getByRole('button', { name: 'Reload site' }));
  await waitFor(() => expect(within(dialog).getByLabelText('Site code')).toHaveValue('OTHER'));
  expect(within(dialog).getByLabelText('Site name')).toHaveValue('Waikato');
  expect(within(dialog).queryByRole('alert')).not.toBeInTheDocument();
});

test('Set site as active asks, then updates the indicator and keeps the other edits in the draft', async () => {
  const { user } = await openSitesWindow(world);
  const dialog = await openSite(user, 'Kopu HC');
  await user.type(within(dialog).getByLabelText('Site name'), ' Clinic');
  expect(within(dialog).getByRole('checkbox', { name: 'Site is active on this datafile' })).not.toBeChecked();
  await user.click(within(dialog).getByRole('button', { name: 'Set site as active' }));
  const confirm = await screen.findByRole('alertdialog');
  expect(confirm).toHaveTextContent('Set "Kopu HC" as the active site on this datafile?');
  await user.click(within(confirm).getByRole('button', { name: 'Set as active' }));
  await waitFor(() => expect(within(dialog).getByRole('checkbox', { name: 'Site is active on this datafile' })).toBeChecked());
  expect(within(dialog).getByLabelText('Site name')).toHaveValue('Kopu HC Clinic');
  expect(world.core.sites.activeSiteId()).toBe(5);
  expect(screen.getByLabelText('Active site', { selector: 'span' })).toHaveTextContent('Remote site: Kopu HC (site ID 5)');
  // The draft took the new version, so OK saves without a site_changed error.
  await user.click(within(dialog).getByRole('button', { name: 'OK' }));
  await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
  expect(world.core.sites.getSite({ siteId: 5 }).name).toBe('Kopu HC Clinic');
});

test('Reset hardware ID asks, clears the hardware ID, and is only offered on the central server', async () => {
  const { user } = await openSitesWindow(world);
  const dialog = await openSite(user, 'Kawakawa');
  await user.click(within(dialog).getByRole('button', { name: 'Reset hardware ID' }));
  await user.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Reset hardware ID' }));
  await waitFor(() => expect(within(dialog).getByLabelText('Hardware ID')).toHaveValue(''));
  expect(world.core.sites.getSite({ siteId: 2 }).hardwareId).toBe('');
});

test('Check connection shows the answer in words (on a remote site)', async () => {
  setSetting(world.core.datafile.sqlite, 'active_site_id', 3);
  const { user } = await openSitesWindow(world);
  const dialog = await openSite(user, 'Waikato');
  await user.click(within(dialog).getByRole('button', { name: 'Check connection' }));
  // Whatever the core answers (here sync is not set up), the window shows its message.
  const expected = await world.api.checkConnection({});
  const message = expected.ok ? expected.value.message : expected.error.message;
  expect(message).toMatch(/\w+ \w+/);
  expect(await within(dialog).findByRole('status')).toHaveTextContent(message);
});

test('Reset hardware ID is disabled when this datafile is not the central server', async () => {
  setSetting(world.core.datafile.sqlite, 'active_site_id', 3);
  const { user } = await openSitesWindow(world);
  const dialog = await openSite(user, 'Kawakawa');
  expect(within(dialog).getByLabelText('Hardware ID')).toHaveValue('demo-tablet-hardware-id');
  expect(within(dialog).getByRole('button', { name: 'Reset hardware ID' })).toBeDisabled();
});

test('from the keyboard: Enter opens the selected site, Escape discards the edits', async () => {
  const before = dumpContent(world.core);
  const { user } = await openSitesWindow(world);
  screen.getByRole('grid', { name: 'Sites' }).focus();
  await user.keyboard('{Home}{Enter}');
  const dialog = await screen.findByRole('dialog', { name: 'Sites' });
  await within(dialog).findByDisplayValue('Tamaki Central Synchronisation Server');
  await user.type(within(dialog).getByLabelText('Site code'), 'X');
  await user.keyboard('{Escape}');
  await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
  expect(dumpContent(world.core)).toBe(before);
});

test('on the central server Check connection is not offered; the window says what it is for', async () => {
  const { user } = await openSitesWindow(world);
  const dialog = await openSite(user, 'Tamaki Central Synchronisation Server');
  expect(within(dialog).queryByRole('button', { name: 'Check connection' })).not.toBeInTheDocument();
  expect(within(dialog).getByText(/Check connection is done on a remote site/)).toBeInTheDocument();
});

test('the site name says its 80-character limit in words', async () => {
  const { user } = await openSitesWindow(world);
  await user.click(screen.getByRole('button', { name: 'New' }));
  const dialog = await screen.findByRole('dialog', { name: 'Sites' });
  const name = await within(dialog).findByLabelText('Site name');
  expect(name).toHaveAccessibleDescription(/Up to 80 characters/);
  await user.type(name, 'x'.repeat(90));
  expect(name).toHaveValue('x'.repeat(80));
  expect(name).toHaveAccessibleDescription(/at most 80 characters: this one is at the limit/);
});

test('a mobile site refuses a second store at OK, next to the stores', async () => {
  const { user } = await openSitesWindow(world);
  const dialog = await openSite(user, 'Kawakawa');
  await user.click(within(dialog).getByRole('button', { name: 'Add store' }));
  const picker = await screen.findByRole('dialog', { name: 'Select a store to move to this site' });
  await user.dblClick(await within(picker).findByRole('row', { name: /Opua Health Centre/ }));
  await user.click(within(dialog).getByRole('button', { name: 'OK' }));
  expect(await within(dialog).findByText(/A mobile site has one store/)).toBeInTheDocument();
  expect(siteOfStore(world.core, 'Opua')).toBe(1);
});

test('a remote site shows the Use js node HTTP client the central set for it, read-only', async () => {
  setSetting(world.core.datafile.sqlite, 'active_site_id', 3);
  world.core.datafile.sqlite.prepare('update site set use_js_node_http_client = 1 where id = 3').run();
  const { user } = await openSitesWindow(world);
  const dialog = await openSite(user, 'Waikato');
  const checkbox = within(dialog).getByRole('checkbox', { name: 'Use js node HTTP client' });
  expect(checkbox).toBeChecked();
  expect(checkbox).toBeDisabled();
  expect(within(dialog).getByText(/Set on the central server; this site's sync uses it/)).toBeInTheDocument();
});
