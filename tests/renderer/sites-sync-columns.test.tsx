/**
 * The central's sites list with each site's sync: the status badges, the counts, sorting by a sync
 * column (worst first, the central server site still first), "Only sites needing attention", and
 * the thresholds (an administrator's setting). Over the real core, in process.
 */
import { screen, waitFor, within } from '@testing-library/react';
import { nameKey } from '../../shared/names';
import { adminOf, storeIdByCode } from '../helpers/core';
import { inProcessApi, type InProcessApi } from './in-process-api';
import { openSitesWindow } from './render-app';

let world: InProcessApi;
beforeEach(async () => {
  world = await inProcessApi();
  const sqlite = world.core.datafile.sqlite;
  const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
  // Waikato synced an hour ago; Auckland Hospital 2 days ago (late); Kopu HC's sign-in was just refused.
  sqlite
    .prepare('update site set last_synced_at = ?, last_connected_at = ?, app_name = ?, app_version = ? where id = 3')
    .run(hoursAgo(1), hoursAgo(1), 'mSupply', '7.14.2');
  sqlite.prepare('update site set last_synced_at = ? where id = 4').run(hoursAgo(49));
  world.core.siteSyncErrors.record(nameKey('Kopu HC'), 'site_incorrect_password', 'Incorrect password.');
  world.core.stock.saveLine(await adminOf(world.core), {
    storeId: storeIdByCode(world.core, 'Waikato'),
    lineId: null,
    itemCode: 'Q',
    itemName: 'Queued',
    quantity: 1,
  });
});
afterEach(() => world.core.close());

const grid = () => screen.getByRole('grid', { name: 'Sites' });
function rowsByName(): Record<string, Record<string, string>> {
  const headers = within(grid())
    .getAllByRole('columnheader')
    .map((h) => h.textContent!.replace(/[▲▼]/g, '').trim());
  const rows = within(grid()).getAllByRole('row').slice(1);
  return Object.fromEntries(
    rows.map((row) => {
      const cells = within(row)
        .getAllByRole('gridcell')
        .map((c) => c.textContent!.trim());
      return [cells[2]!.replace('active on this datafile', ''), Object.fromEntries(headers.map((h, i) => [h, cells[i]!]))];
    }),
  );
}
const names = () => Object.keys(rowsByName());

test('each site shows its sync status, last sync, counts and app version', async () => {
  await openSitesWindow(world);
  await waitFor(() => expect(rowsByName()['Waikato']?.['Sync status']).toBe('ok'));
  const rows = rowsByName();
  expect(rows['Waikato']).toMatchObject({ 'Last sync': '1 h ago', Connected: '1 h ago', 'App version': '7.14.2' });
  expect(Number(rows['Waikato']!.Queued)).toBeGreaterThan(0);
  expect(rows['Auckland Hospital']!['Sync status']).toBe('late');
  expect(rows['Kopu HC']!['Sync status']).toBe('failing');
  expect(within(grid()).getByText('failing')).toHaveAttribute('title', 'Incorrect password.');
  expect(rows['Kawakawa']!['Sync status']).toBe('never synced');
  expect(rows['Tamaki Central Synchronisation Server']!['Sync status']).toBe('');
});

test('sorting by sync status puts the worst first, the central server site still first; the filter keeps those needing attention', async () => {
  const { user } = await openSitesWindow(world);
  await waitFor(() => expect(rowsByName()['Waikato']?.['Sync status']).toBe('ok'));
  await user.click(within(grid()).getByRole('button', { name: 'Sync status' }));
  await waitFor(() => expect(names()).toEqual(['Tamaki Central Synchronisation Server', 'Kopu HC', 'Auckland Hospital', 'Kawakawa', 'Waikato']));
  await user.click(screen.getByLabelText('Only sites needing attention'));
  await waitFor(() => expect(names()).toEqual(['Kopu HC', 'Auckland Hospital']));
  expect(screen.getByText('Showing 2 of 5 sites')).toBeInTheDocument();
});

test('an administrator changes the thresholds: a site 2 days behind is no longer late', async () => {
  const { user } = await openSitesWindow(world);
  await waitFor(() => expect(rowsByName()['Auckland Hospital']?.['Sync status']).toBe('late'));
  const late = screen.getByLabelText('Late after');
  await user.clear(late);
  await user.type(late, '5');
  await user.click(screen.getByRole('button', { name: 'Set' }));
  expect(await screen.findByRole('alert')).toHaveTextContent('Failing after must be at least as many days as late after.');
  const failing = screen.getByLabelText('days, failing after');
  await user.clear(failing);
  await user.type(failing, '10');
  await user.click(screen.getByRole('button', { name: 'Set' }));
  await waitFor(() => expect(rowsByName()['Auckland Hospital']?.['Sync status']).toBe('ok'));
  expect(world.core.siteSyncHealth.list().thresholds).toEqual({ lateAfterDays: 5, failingAfterDays: 10 });
});
