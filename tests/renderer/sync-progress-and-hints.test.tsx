/**
 * The pieces of "sync at a glance" a person reads: progress by step (done of total), a failure with
 * the hint of what to do, and the sync log. The status and log come from a stand-in API here, so
 * every state (a run half-way, each kind of failure) can be shown on purpose.
 */
import { render, screen, within } from '@testing-library/react';
import type { SyncErrorCode, SyncLogEntry, SyncStatus, SyncSitesApi, SyncStepProgress } from '../../shared/contract';
import { ApiProvider } from '../../renderer/api/api-context';
import { SyncLogPanel } from '../../renderer/components/SyncLogPanel';
import { SyncProgressSteps } from '../../renderer/components/SyncProgressSteps';
import { SyncStatusLine } from '../../renderer/components/SyncStatusLine';
import { syncErrorHints } from '../../renderer/components/sync-words';

const steps = (...states: [SyncStepProgress['state'], number, number][]): SyncStepProgress[] =>
  (['push', 'integrate', 'pull_central', 'pull_queue'] as const).map((step, i) => ({
    step,
    state: states[i]![0],
    done: states[i]![1],
    total: states[i]![2],
  }));

const idle: SyncStatus = {
  configured: true,
  isCentralServer: false,
  canEnableSync: true,
  initialised: true,
  running: false,
  progress: null,
  lastSuccessAt: '2026-11-27T08:00:00.000Z',
  lastAttemptAt: '2026-11-28T09:30:00.000Z',
  lastError: null,
  lastErrorCode: null,
  waitingOut: 3,
  waitingIn: 0,
  refused: 0,
  refusedMessage: null,
  intervalMinutes: 10,
  nextRunAt: null,
};

function apiAnswering(status: SyncStatus, log: SyncLogEntry[] = []): SyncSitesApi {
  const ok = <T,>(value: T) => Promise.resolve({ ok: true as const, value });
  return new Proxy({} as SyncSitesApi, {
    get: (_target, name) => {
      if (name === 'getSyncStatus') return () => ok(status);
      if (name === 'listSyncLog') return () => ok({ rows: log });
      return () => Promise.reject(new Error(`not expected here: ${String(name)}`));
    },
  });
}

test('each step shows its state and records done of total; the running one is marked current', () => {
  render(<SyncProgressSteps steps={steps(['done', 120, 120], ['done', 0, 0], ['running', 40, 200], ['waiting', 0, 0])} />);
  const items = within(screen.getByRole('list', { name: 'Sync steps' })).getAllByRole('listitem');
  expect(items.map((i) => i.textContent)).toEqual([
    'Push changesdone (120 of 120)',
    'Central integrates themdone (nothing to do)',
    'Pull central data40 of 200',
    'Pull this site’s queuewaiting',
  ]);
  expect(items[2]).toHaveAttribute('aria-current', 'step');
  const bar = within(items[2]!).getByRole('progressbar', { name: 'Pull central data' });
  expect(bar).toHaveAttribute('value', '40');
  expect(bar).toHaveAttribute('max', '200');
});

test('while a run goes the status shows the steps, not the last failure', async () => {
  const running: SyncStatus = {
    ...idle,
    running: true,
    lastError: 'Unable to connect to server',
    lastErrorCode: 'unable_to_connect',
    progress: {
      phase: 'pushing',
      message: 'Sending changes made here…',
      done: 1,
      total: 3,
      steps: steps(['running', 1, 3], ['waiting', 0, 0], ['waiting', 0, 0], ['waiting', 0, 0]),
    },
  };
  render(
    <ApiProvider api={apiAnswering(running)}>
      <SyncStatusLine canEdit />
    </ApiProvider>,
  );
  const steps_ = await screen.findByRole('list', { name: 'Sync steps' });
  expect(within(steps_).getAllByRole('listitem')[0]).toHaveTextContent('1 of 3');
  expect(screen.getByRole('status')).toHaveTextContent('Syncing: Sending changes made here…');
  expect(screen.queryByText(/Last sync failed/)).not.toBeInTheDocument();
});

test.each<[SyncErrorCode, RegExp]>([
  ['site_incorrect_hardware_id', /ask the central server’s administrator to reset the hardware ID/],
  ['unable_to_connect', /Check the central server URL/],
  ['site_incorrect_password', /Type the site password again/],
  ['central_busy', /Nothing to do/],
])('a failure of kind %s comes with what to do', async (code, hint) => {
  render(
    <ApiProvider api={apiAnswering({ ...idle, lastError: 'It went wrong', lastErrorCode: code })}>
      <SyncStatusLine canEdit />
    </ApiProvider>,
  );
  expect(await screen.findByRole('alert')).toHaveTextContent('Last sync failed: It went wrong');
  expect(screen.getByText(/^What to do:/)).toHaveTextContent(hint);
});

test('every kind of failure has a hint', () => {
  for (const hint of Object.values(syncErrorHints)) expect(hint.length).toBeGreaterThan(20);
});

test('the last attempt and the last success are shown apart', async () => {
  render(
    <ApiProvider api={apiAnswering(idle)}>
      <SyncStatusLine canEdit />
    </ApiProvider>,
  );
  const attempt = await screen.findByText('Last attempt', { selector: 'dt' });
  expect(attempt.nextElementSibling).toHaveTextContent(new Date(idle.lastAttemptAt!).toLocaleString());
  const success = screen.getByText('Last successful sync', { selector: 'dt' });
  expect(success.nextElementSibling).toHaveTextContent(new Date(idle.lastSuccessAt!).toLocaleString());
});

test('the sync log lists runs with duration, outcome, counts and the error with its hint', async () => {
  const log: SyncLogEntry[] = [
    {
      id: 3,
      startedAt: '2026-11-28T09:30:00.000Z',
      endedAt: '2026-11-28T09:30:04.000Z',
      outcome: 'failed',
      pushed: 0,
      pulled: 0,
      error: 'Incorrect password',
      errorCode: 'site_incorrect_password',
    },
    { id: 2, startedAt: '2026-11-28T09:00:00.000Z', endedAt: null, outcome: 'interrupted', pushed: 2, pulled: 0, error: null, errorCode: null },
    {
      id: 1,
      startedAt: '2026-11-28T08:00:00.000Z',
      endedAt: '2026-11-28T08:01:05.000Z',
      outcome: 'success',
      pushed: 5,
      pulled: 1200,
      error: null,
      errorCode: null,
    },
  ];
  render(
    <ApiProvider api={apiAnswering(idle, log)}>
      <SyncLogPanel version="1" />
    </ApiProvider>,
  );
  const table = await screen.findByRole('table', { name: 'Sync log' });
  const rows = within(table).getAllByRole('row').slice(1);
  const cells = (row: HTMLElement) =>
    within(row)
      .getAllByRole('cell')
      .map((c) => c.textContent);
  expect(cells(rows[0]!).slice(2)).toEqual(['4 s', 'failed', '0', '0', 'Incorrect password']);
  expect(within(rows[0]!).getByText('Incorrect password')).toHaveAttribute(
    'title',
    expect.stringMatching(/^What to do: Type the site password again/),
  );
  expect(cells(rows[1]!).slice(2, 6)).toEqual(['', 'interrupted', '2', '0']);
  expect(cells(rows[2]!).slice(2, 6)).toEqual(['1 min 5 s', 'succeeded', '5', '1,200']); // counts in the window's language (Intl)
});
