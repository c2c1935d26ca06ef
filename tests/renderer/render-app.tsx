/** Renders the whole app over an in-process API, optionally logged in already. */
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { DesktopCommands } from '../../shared/bridge';
import { ApiProvider } from '../../renderer/api/api-context';
import { App } from '../../renderer/App';
import { ADMIN, type InProcessApi } from './in-process-api';

export function renderApp(world: InProcessApi, desktop: DesktopCommands | null = null) {
  const user = userEvent.setup();
  const view = render(
    <ApiProvider api={world.api} desktop={desktop}>
      <App />
    </ApiProvider>,
  );
  return { user, ...view };
}

export async function logIn(user: ReturnType<typeof userEvent.setup>, credentials = ADMIN) {
  await user.type(await screen.findByLabelText('User name'), credentials.userName);
  await user.type(screen.getByLabelText('Password'), credentials.password);
  await user.click(screen.getByRole('button', { name: 'Log in' }));
  await screen.findByRole('button', { name: 'Log out' });
}

/** Logs in as the administrator and opens Special > Synchronisation. */
export async function openSitesWindow(world: InProcessApi, credentials = ADMIN, desktop: DesktopCommands | null = null) {
  const rendered = renderApp(world, desktop);
  await logIn(rendered.user, credentials);
  await rendered.user.click(screen.getByRole('button', { name: 'Synchronisation' }));
  await screen.findByRole('grid', { name: 'Sites' });
  await screen.findByRole('row', { name: /Tamaki Central/ });
  return rendered;
}
