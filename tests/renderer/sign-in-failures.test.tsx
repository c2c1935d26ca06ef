/** Issue 10, finding 3 in the windows: failed sign-ins of a site and of users, shown and cleared. */
import { screen, waitFor, within } from '@testing-library/react';
import { inProcessApi, type InProcessApi } from './in-process-api';
import { logIn, openSitesWindow, renderApp } from './render-app';

let world: InProcessApi;
beforeEach(async () => {
  world = await inProcessApi();
});
afterEach(() => world.core.close());

async function failSite(name: string, address: string, times: number) {
  for (let i = 0; i < times; i += 1) {
    const attempt = await world.core.signIns.sites.begin({ name, address });
    if (!attempt.refused) attempt.failed();
  }
}

test("the Sites window shows a site's failed sign-ins and lock, and Clear failed sign-ins lifts it", async () => {
  await failSite('waikato', '10.0.0.7', 10);
  const { user } = await openSitesWindow(world);
  await user.dblClick(screen.getByRole('row', { name: /Waikato/ }));
  const dialog = await screen.findByRole('dialog', { name: 'Sites' });
  const panel = await within(dialog).findByLabelText('Failed sign-ins');
  await within(panel).findByText(/10 failed sign-ins in the last 15 minutes, the last from 10\.0\.0\.7 at .+ refused until/);
  await user.click(within(panel).getByRole('button', { name: 'Clear failed sign-ins' }));
  await within(panel).findByText('No failed sign-ins in the last 15 minutes.');
  expect(world.core.signIns.sites.summary('waikato')).toMatchObject({ failures: 0, lockedUntil: null });
});

test('the Special page lists users with failed logins; Clear forgets them', async () => {
  for (let i = 0; i < 8; i += 1) {
    const attempt = await world.core.signIns.users.begin({ name: 'admin', address: '10.0.0.9' });
    if (!attempt.refused) attempt.failed();
  }
  const { user } = renderApp(world);
  await logIn(user);
  const panel = await screen.findByRole('region', { name: 'Failed logins' });
  await within(panel).findByText(/8 failed sign-ins .* 10\.0\.0\.9 .* refused until/);
  await user.click(within(panel).getByRole('button', { name: 'Clear failed logins of admin' }));
  await waitFor(() => expect(within(panel).getByText('No failed logins in the last 15 minutes.')).toBeInTheDocument());
});
