/**
 * Seeing sync at a glance (issue 14), in a real Chromium against `npm run server`: two more
 * `npm run server` processes on fresh datafiles are remote sites syncing with the central. The
 * central's sites list shows each site's sync status (ok with its last sync, never synced, failing
 * with the reason), the filter keeps the sites needing attention, and a remote's sync log lists its
 * runs with their outcomes.
 */
import type { Browser, Page } from 'playwright-core';
import { browserOrSkip, E2E_ADMIN, eventually, launchBrowser, newPage, screenshot, type ServerProcess, startServerProcess } from './harness';

const browserPath = browserOrSkip();
const describeWithBrowser = browserPath ? describe : describe.skip;

let central: ServerProcess;
const remotes: ServerProcess[] = [];
let browser: Browser;
let page: Page;
let pageErrors: string[];

const sitesGrid = (p: Page) => p.getByRole('grid', { name: 'Sites' });
const siteRow = (p: Page, name: string) => sitesGrid(p).getByRole('row').filter({ hasText: name });
const detailsDialog = (p: Page) => p.getByRole('dialog', { name: 'Sites' });

async function logIn(p: Page, url: string) {
  await p.goto(url);
  await p.getByLabel('User name').fill(E2E_ADMIN.userName);
  await p.getByLabel('Password').fill(E2E_ADMIN.password);
  await p.getByRole('button', { name: 'Log in' }).click();
  await p.getByRole('button', { name: 'Log out' }).waitFor();
}

async function openSynchronisation(p: Page) {
  await p.getByRole('navigation', { name: 'Navigator' }).getByRole('button', { name: 'Special' }).click();
  await p.getByRole('button', { name: 'Synchronisation' }).click();
  await sitesGrid(p).getByRole('row').nth(1).waitFor();
}

/** The text of each cell of a site's row, by column header. */
async function cellsOf(p: Page, name: string): Promise<Record<string, string>> {
  const headers = (await sitesGrid(p).getByRole('columnheader').allInnerTexts()).map((h) => h.replace(/[▲▼]/g, '').trim());
  const row = siteRow(p, name).first();
  const cells = await row.getByRole('gridcell').allInnerTexts();
  return Object.fromEntries(headers.map((h, i) => [h, (cells[i] ?? '').trim()]));
}

/** A fresh `npm run server` datafile made a remote site of the central, in a page of its own. */
async function remoteSite(siteName: string, password: string): Promise<{ page: Page; errors: string[]; close(): Promise<void> }> {
  const server = await startServerProcess({ demo: false });
  remotes.push(server);
  const remote = await newPage(browser);
  await logIn(remote.page, server.url);
  const enabling = remote.page.getByRole('region', { name: 'Enabling sync' });
  await enabling.getByLabel('Central server URL').fill(central.url);
  await enabling.getByLabel('Site name').fill(siteName);
  await enabling.getByLabel('Password').fill(password);
  await remote.page.getByRole('button', { name: 'Enable sync' }).click();
  await eventually(async () => expect(await enabling.innerText()).toMatch(/Sync is enabled/), 20_000);
  return { page: remote.page, errors: remote.errors, close: () => remote.context.close() };
}

/** The outcomes in the remote's sync log, newest first. */
async function logOutcomes(p: Page): Promise<string[]> {
  const rows = p.getByRole('table', { name: 'Sync log' }).locator('tbody tr');
  return rows.locator('td:nth-child(4)').allInnerTexts();
}

describeWithBrowser('sync at a glance in a real browser', () => {
  beforeAll(async () => {
    central = await startServerProcess();
    browser = await launchBrowser(browserPath!);
    ({ page, errors: pageErrors } = await newPage(browser));
    await logIn(page, central.url);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    for (const remote of remotes) await remote.stop();
    await central?.stop();
  });

  afterEach(() => {
    expect(pageErrors).toEqual([]);
  });

  it('a site that synced is ok with its last sync; one whose sign-ins fail is failing with the reason; the filter keeps those', async () => {
    // On the central: Waikato gets a password. Kopu HC has none, so every sign-in of it fails.
    await openSynchronisation(page);
    expect((await cellsOf(page, 'Waikato'))['Sync status']).toBe('never synced');
    await siteRow(page, 'Waikato').filter({ hasNotText: 'Rural' }).dblclick();
    const dialog = detailsDialog(page);
    await eventually(async () => expect(await dialog.getByLabel('Site name').inputValue()).toBe('Waikato'));
    await dialog.getByLabel('Password').fill('waikato-secret');
    await dialog.getByRole('button', { name: 'OK', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });

    const waikato = await remoteSite('Waikato', 'waikato-secret');
    const kopu = await remoteSite('Kopu HC', 'not the password');
    try {
      // Waikato syncs: its log lists the run as succeeded, with records pulled.
      await waikato.page.getByRole('button', { name: 'Sync now' }).click({ timeout: 60_000 });
      await eventually(async () => expect(await logOutcomes(waikato.page)).toEqual(['succeeded']), 60_000);
      const status = waikato.page.getByRole('region', { name: 'Sync status' });
      await eventually(async () => expect(await status.innerText()).not.toMatch(/Last successful sync\s+never/), 20_000);
      // A second run: the log lists both, newest first.
      await waikato.page.getByRole('button', { name: 'Sync now' }).click();
      await eventually(async () => expect(await logOutcomes(waikato.page)).toEqual(['succeeded', 'succeeded']), 60_000);
      await screenshot(waikato.page, 'sync-log');

      // Kopu HC's sign-in is refused: the failure in words, what to do, and the failed run in its log.
      await kopu.page.getByRole('button', { name: 'Sync now' }).click({ timeout: 60_000 });
      const kopuStatus = kopu.page.getByRole('region', { name: 'Sync status' });
      await eventually(async () => {
        const alert = await kopuStatus.getByRole('alert').innerText();
        // On a loaded machine the central may answer that it is too busy checking passwords; a person tries again.
        if (/checking many sites' passwords/.test(alert)) await kopu.page.getByRole('button', { name: 'Sync now' }).click({ timeout: 60_000 });
        expect(alert).toMatch(/Last sync failed: Incorrect password/);
      }, 60_000);
      expect(await kopuStatus.innerText()).toMatch(/What to do: Type the site password again/);
      await eventually(async () => {
        const outcomes = await logOutcomes(kopu.page);
        expect(outcomes.length).toBeGreaterThan(0);
        expect(new Set(outcomes)).toEqual(new Set(['failed']));
      });
      await screenshot(kopu.page, 'sync-failure-hint');
      // The page reads top down, and its last panel is inside the page's frame (the workspace scrolls).
      const special = kopu.page.getByRole('region', { name: 'Special' });
      const order = await kopu.page.locator('.special-page > .panel h3').allInnerTexts();
      expect(order.slice(0, 3)).toEqual(['Sync status', 'Sync log', 'Enabling sync']);
      const frame = (await special.boundingBox())!;
      const enabling = (await kopu.page.getByRole('region', { name: 'Enabling sync' }).boundingBox())!;
      expect(enabling.y + enabling.height).toBeLessThanOrEqual(frame.y + frame.height);
      // Set interval keeps its size; the URL field is as wide as the other fields.
      const setInterval = (await kopu.page.getByRole('button', { name: 'Set interval' }).boundingBox())!;
      expect(setInterval.width).toBeLessThan(200);
      const url = (await kopu.page.getByLabel('Central server URL').boundingBox())!;
      const siteName = (await kopu.page.getByRole('region', { name: 'Enabling sync' }).getByLabel('Site name').boundingBox())!;
      expect(url.width).toBe(siteName.width);
      // The hardware ID is on one line.
      const hardwareId = (await kopu.page.getByRole('region', { name: 'Enabling sync' }).locator('code').boundingBox())!;
      expect(hardwareId.height).toBeLessThan(24);
      expect(waikato.errors).toEqual([]);
      expect(kopu.errors).toEqual([]);
    } finally {
      await waikato.close();
      await kopu.close();
    }

    // The central's list: ok with the last sync time, failing with the reason, never synced.
    await page.reload();
    await page
      .getByRole('button', { name: 'Log out' })
      .waitFor({ timeout: 1000 })
      .catch(() => logIn(page, central.url));
    await openSynchronisation(page);
    await eventually(async () => expect((await cellsOf(page, 'Waikato'))['Sync status']).toBe('ok'), 20_000);
    const waikatoCells = await cellsOf(page, 'Waikato');
    expect(waikatoCells['Last sync']).not.toBe('');
    expect(waikatoCells.Connected).toMatch(/^(just now|\d+ min ago)$/);
    expect(waikatoCells['Last sync']).toMatch(/^(just now|\d+ min ago)$/);
    expect(waikatoCells['App version']).toMatch(/^\d+\.\d+/);
    expect((await cellsOf(page, 'Kopu HC'))['Sync status']).toBe('failing');
    expect((await cellsOf(page, 'Auckland Hospital'))['Sync status']).toBe('never synced');
    await screenshot(page, 'sites-sync-status');
    expect(await sitesGrid(page).getByText('failing').getAttribute('title')).toMatch(/password/i);

    // Sorted by sync status, the worst come first (after the central server site, first in any order).
    await sitesGrid(page).getByRole('button', { name: 'Sync status' }).click();
    await eventually(async () => {
      const secondRow = await sitesGrid(page).locator('.data-table-body [role=row]').nth(1).innerText();
      expect(secondRow).toMatch(/Kopu HC/);
    });

    // The site window says why.
    await siteRow(page, 'Kopu HC').dblclick();
    const kopuWindow = detailsDialog(page);
    const sync = kopuWindow.getByLabel('Sync of this site');
    await eventually(async () => expect(await sync.innerText()).toMatch(/Last error\s+Incorrect password/));
    expect(await sync.innerText()).toMatch(/Sync status\s+failing/);
    await screenshot(page, 'site-details-sync');
    await kopuWindow.getByRole('button', { name: 'Cancel' }).click();
    await kopuWindow.waitFor({ state: 'detached' });

    // Only sites needing attention: Kopu HC alone (never synced sites are not late yet).
    await page.getByLabel('Only sites needing attention').check();
    await eventually(async () => {
      const names = await sitesGrid(page).locator('.data-table-body [role=row] [role=gridcell]:nth-child(3)').allInnerTexts();
      expect(names.map((n) => n.trim())).toEqual(['Kopu HC']);
    });
    await page.getByLabel('Only sites needing attention').uncheck();
  }, 240_000);
});
