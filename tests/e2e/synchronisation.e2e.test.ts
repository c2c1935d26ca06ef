/**
 * The whole app, end to end: `npm run server` on a fresh demo datafile, the built renderer in a real
 * Chromium, driven by the document's own labels. The tests run in order on one server, as one
 * administrator's afternoon would; each step says what a person would see.
 */
import type { Browser, Locator, Page } from 'playwright-core';
import { openCore } from '../../main/core';
import { EDIT_SYNC_SETTINGS } from '../../main/services/actor';
import { sha256Hex } from '../../main/services/passwords';
import { fastHasher } from '../helpers/core';
import { browserOrSkip, E2E_ADMIN, eventually, launchBrowser, newPage, screenshot, type ServerProcess, startServerProcess } from './harness';

const browserPath = browserOrSkip();
const describeWithBrowser = browserPath ? describe : describe.skip;

let server: ServerProcess;
let browser: Browser;
let page: Page;
let pageErrors: string[];

/** Users made straight in the datafile (the Users window itself is driven in administrator-day.e2e.test.ts). */
async function addUser(name: string, password: string, permissions: string[]) {
  const core = await openCore(server.datafile, { hasher: fastHasher });
  try {
    const admin = await core.users.authenticate(E2E_ADMIN.userName, E2E_ADMIN.password);
    await core.users.createUser(admin, { name, password, permissions });
  } finally {
    core.close();
  }
}

async function logIn(p: Page, userName: string, password: string) {
  await p.goto(server.url);
  await p.getByLabel('User name').fill(userName);
  await p.getByLabel('Password').fill(password);
  await p.getByRole('button', { name: 'Log in' }).click();
}

async function openSynchronisation(p: Page) {
  await p.getByRole('button', { name: 'Synchronisation' }).click();
  await p.getByRole('grid', { name: 'Sites' }).waitFor();
}

const sitesGrid = (p: Page) => p.getByRole('grid', { name: 'Sites' });
const siteRow = (p: Page, name: string) => sitesGrid(p).getByRole('row').filter({ hasText: name });
const detailsDialog = (p: Page) => p.getByRole('dialog', { name: 'Sites' });
const confirmDialog = (p: Page) => p.getByRole('alertdialog');

/** The site names in the order the sites window shows them. */
async function siteNames(p: Page): Promise<string[]> {
  const cells = sitesGrid(p).locator('.data-table-body [role=row] [role=gridcell]:nth-child(3)');
  const texts = await cells.allInnerTexts();
  return texts.map((t) => t.replace('active on this datafile', '').trim());
}

async function openSite(p: Page, name: string): Promise<Locator> {
  await siteRow(p, name).dblclick();
  const dialog = detailsDialog(p);
  await dialog.waitFor();
  await expectValue(dialog.getByLabel('Site name'), name);
  return dialog;
}

async function storesOf(dialog: Locator): Promise<string[]> {
  const cells = dialog.getByRole('grid', { name: 'Stores of this site' }).locator('.data-table-body [role=gridcell]');
  return (await cells.allInnerTexts()).map((t) => t.trim()).sort();
}

async function expectValue(input: Locator, value: string) {
  await eventually(async () => expect(await input.inputValue()).toBe(value));
}

async function alertText(scope: Page | Locator): Promise<string> {
  return (await scope.getByRole('alert').allInnerTexts()).join(' ');
}

async function addStoreFromPicker(p: Page, dialog: Locator, storeName: string, shot?: string) {
  await dialog.getByRole('button', { name: 'Add store' }).click();
  const picker = p.getByRole('dialog', { name: 'Select a store to move to this site' });
  await picker.waitFor();
  const term = storeName.split(' ')[0]!;
  await picker.getByPlaceholder('Type here to search').fill(term);
  // The list narrows as you type: every store row left matches what was typed.
  await eventually(async () => {
    const rows = await picker.locator('.data-table-body [role=row]').allInnerTexts();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.toLowerCase()).toContain(term.toLowerCase());
  });
  const row = picker.getByRole('row').filter({ hasText: storeName });
  if (shot) await screenshot(p, shot);
  await row.dblclick();
  await picker.waitFor({ state: 'detached' });
}

async function removeStore(dialog: Locator, storeName: string) {
  await dialog.getByRole('grid', { name: 'Stores of this site' }).getByRole('row').filter({ hasText: storeName }).click();
  await dialog.getByRole('button', { name: 'Remove store' }).click();
}

async function syncCall(siteName: string, password: string, hardwareId: string) {
  return fetch(`${server.url}/sync/v5/site`, {
    headers: {
      authorization: `Basic ${Buffer.from(`${siteName}:${sha256Hex(password)}`).toString('base64')}`,
      'msupply-site-uuid': hardwareId,
      'app-name': 'Open mSupply Desktop',
      'app-version': '2.6.0',
      version: '5',
    },
  });
}

describeWithBrowser('the Synchronisation window in a real browser', () => {
  beforeAll(async () => {
    server = await startServerProcess();
    browser = await launchBrowser(browserPath!);
    ({ page, errors: pageErrors } = await newPage(browser));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  afterEach(() => {
    // A window that throws or breaks its Content Security Policy fails the step that caused it.
    expect(pageErrors).toEqual([]);
  });

  it('logs in, refusing a wrong password in words', async () => {
    await page.goto(server.url);
    await screenshot(page, 'log-in');
    await logIn(page, E2E_ADMIN.userName, 'not the password');
    await eventually(async () => expect(await alertText(page)).toMatch(/user name or password is incorrect/));
    await page.getByLabel('Password').fill(E2E_ADMIN.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('button', { name: 'Synchronisation' }).waitFor();
    expect(await page.getByText('Logged in as admin').count()).toBe(1);
    await screenshot(page, 'navigator-special');
  });

  it('opens Special > Synchronisation: the central server site first, then by site name', async () => {
    await openSynchronisation(page);
    // The grid is there before its rows: they come with the window's first read.
    await eventually(async () =>
      expect(await siteNames(page)).toEqual(['Tamaki Central Synchronisation Server', 'Auckland Hospital', 'Kawakawa', 'Kopu HC', 'Waikato']),
    );
    await screenshot(page, 'sites-window');
    // A click on a column header sorts by it; the central server site stays first.
    await sitesGrid(page).getByRole('button', { name: 'Site name' }).click();
    await sitesGrid(page)
      .getByRole('button', { name: /Site name/ })
      .click();
    await eventually(async () =>
      expect(await siteNames(page)).toEqual(['Tamaki Central Synchronisation Server', 'Waikato', 'Kopu HC', 'Kawakawa', 'Auckland Hospital']),
    );
    await page.getByPlaceholder('Type here to search').fill('kawa');
    await eventually(async () => expect(await siteNames(page)).toEqual(['Kawakawa']));
    await page.getByPlaceholder('Type here to search').fill('');
    await sitesGrid(page).getByRole('button', { name: 'ID' }).click();
    await eventually(async () =>
      expect(await siteNames(page)).toEqual(['Tamaki Central Synchronisation Server', 'Kawakawa', 'Waikato', 'Auckland Hospital', 'Kopu HC']),
    );
  });

  it('creates a site with a password and shows it in the list at its place', async () => {
    await page.reload();
    await openSynchronisation(page);
    await page.getByRole('button', { name: 'New' }).click();
    const dialog = detailsDialog(page);
    await dialog.waitFor();
    await expectValue(dialog.getByLabel('Site ID'), '6');
    await expectValue(dialog.getByLabel('Site code'), '6');
    await dialog.getByLabel('Site name').fill('Hamilton Clinic');
    await dialog.getByLabel('Password').fill('hamilton-secret');
    await screenshot(page, 'site-details-new');
    await dialog.getByRole('button', { name: 'OK', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await eventually(async () =>
      expect(await siteNames(page)).toEqual([
        'Tamaki Central Synchronisation Server',
        'Auckland Hospital',
        'Hamilton Clinic',
        'Kawakawa',
        'Kopu HC',
        'Waikato',
      ]),
    );
    const reopened = await openSite(page, 'Hamilton Clinic');
    // The password is never shown; the field only says one is set.
    await expectValue(reopened.getByLabel('Password'), '');
    expect(await reopened.getByLabel('Password').getAttribute('placeholder')).toMatch(/set/i);
    expect(await page.content()).not.toContain('hamilton-secret');
    await reopened.getByRole('button', { name: 'Cancel' }).click();
  });

  it('edits the site code and site name', async () => {
    const dialog = await openSite(page, 'Hamilton Clinic');
    await dialog.getByLabel('Site code').fill('HAM');
    await dialog.getByLabel('Site name').fill('Hamilton Health');
    await dialog.getByRole('button', { name: 'OK', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await siteRow(page, 'Hamilton Health').waitFor();
    expect(await siteRow(page, 'Hamilton Health').innerText()).toMatch(/6\s+HAM\s+Hamilton Health/);
    expect(await siteRow(page, 'Hamilton Clinic').count()).toBe(0);
  });

  it('adds stores from the picker; they leave their old sites (asking first for a remote site in use)', async () => {
    const dialog = await openSite(page, 'Hamilton Health');
    await addStoreFromPicker(page, dialog, 'Opua Health Centre', 'store-picker');
    await addStoreFromPicker(page, dialog, 'Kawakawa Health Centre');
    expect(await storesOf(dialog)).toEqual(['Kawakawa Health Centre', 'Opua Health Centre']);
    await screenshot(page, 'site-details-stores');
    await dialog.getByRole('button', { name: 'OK', exact: true }).click();
    // Kawakawa has synced from its tablet: moving its store needs an explicit confirmation.
    const confirm = confirmDialog(page);
    await confirm.waitFor();
    expect(await confirm.innerText()).toMatch(/Kawakawa Health Centre \(on Kawakawa\)/);
    await screenshot(page, 'confirm-move-store');
    await confirm.getByRole('button').last().click();
    await dialog.waitFor({ state: 'detached' });

    const central = await openSite(page, 'Tamaki Central Synchronisation Server');
    expect(await storesOf(central)).not.toContain('Opua Health Centre');
    await central.getByRole('button', { name: 'Cancel' }).click();
    const kawakawa = await openSite(page, 'Kawakawa');
    expect(await storesOf(kawakawa)).toEqual([]);
    await kawakawa.getByRole('button', { name: 'Cancel' }).click();
  });

  it('Cancel discards stores added and removed in the draft', async () => {
    const dialog = await openSite(page, 'Waikato');
    expect(await storesOf(dialog)).toEqual(['Taurangi District Hospital', 'Waikato District Store']);
    await removeStore(dialog, 'Taurangi District Hospital');
    await addStoreFromPicker(page, dialog, 'Kopu Health Centre');
    expect(await storesOf(dialog)).toEqual(['Kopu Health Centre', 'Waikato District Store']);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    const again = await openSite(page, 'Waikato');
    expect(await storesOf(again)).toEqual(['Taurangi District Hospital', 'Waikato District Store']);
    await again.getByRole('button', { name: 'Cancel' }).click();
    const kopu = await openSite(page, 'Kopu HC');
    expect(await storesOf(kopu)).toEqual(['Kopu Health Centre']);
    await kopu.getByRole('button', { name: 'Cancel' }).click();
  });

  it('OK & Next saves and opens the next site in the list', async () => {
    const dialog = await openSite(page, 'Auckland Hospital');
    await dialog.getByLabel('Site code').fill('AKL');
    await dialog.getByRole('button', { name: 'OK & Next' }).click();
    await expectValue(detailsDialog(page).getByLabel('Site name'), 'Hamilton Health');
    await detailsDialog(page).getByRole('button', { name: 'Cancel' }).click();
    expect(await siteRow(page, 'Auckland Hospital').innerText()).toMatch(/AKL/);
  });

  it('removing a store puts it on the central server site', async () => {
    const dialog = await openSite(page, 'Waikato');
    await removeStore(dialog, 'Taurangi District Hospital');
    await dialog.getByRole('button', { name: 'OK', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    const central = await openSite(page, 'Tamaki Central Synchronisation Server');
    expect(await storesOf(central)).toContain('Taurangi District Hospital');
    await central.getByRole('button', { name: 'Cancel' }).click();
  });

  it('refuses to delete a site that still has stores, then deletes it once they are removed', async () => {
    await siteRow(page, 'Kopu HC').click();
    await page.getByRole('button', { name: 'Delete' }).click();
    await eventually(async () => expect(await alertText(page)).toMatch(/still has 1 store/));
    await screenshot(page, 'delete-refused');
    const dialog = await openSite(page, 'Kopu HC');
    await removeStore(dialog, 'Kopu Health Centre');
    await dialog.getByRole('button', { name: 'OK', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await siteRow(page, 'Kopu HC').click();
    await page.getByRole('button', { name: 'Delete' }).click();
    const confirm = confirmDialog(page);
    await confirm.waitFor();
    expect(await confirm.innerText()).toMatch(/Delete the site "Kopu HC"/);
    await confirm.getByRole('button').last().click();
    await eventually(async () => expect(await siteRow(page, 'Kopu HC').count()).toBe(0));
  });

  it('refuses to delete the active site on this datafile', async () => {
    await siteRow(page, 'Tamaki Central Synchronisation Server').click();
    await page.getByRole('button', { name: 'Delete' }).click();
    await eventually(async () => expect(await alertText(page)).toMatch(/active site on this datafile and cannot be deleted/));
    expect(await siteRow(page, 'Tamaki Central Synchronisation Server').count()).toBe(1);
  });

  it('binds a hardware ID on the first real sync call, and an administrator resets it from the window', async () => {
    const dialog = await openSite(page, 'Waikato');
    await dialog.getByLabel('Password').fill('waikato-secret');
    await dialog.getByRole('button', { name: 'OK', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });

    const first = await syncCall('Waikato', 'waikato-secret', 'tablet-0001');
    expect(first.status).toBe(200);
    expect((await syncCall('Waikato', 'waikato-secret', 'laptop-0002')).status).toBe(401);

    const bound = await openSite(page, 'Waikato');
    await expectValue(bound.getByLabel('Hardware ID'), 'tablet-0001');
    await screenshot(page, 'site-details-hardware-id');
    await bound.getByRole('button', { name: 'Reset hardware ID' }).click();
    const confirm = confirmDialog(page);
    await confirm.waitFor();
    await screenshot(page, 'confirm-reset-hardware-id');
    await confirm.getByRole('button').last().click();
    await expectValue(bound.getByLabel('Hardware ID'), '');
    await bound.getByRole('button', { name: 'Cancel' }).click();
    // The next device takes the site over.
    expect((await syncCall('Waikato', 'waikato-secret', 'laptop-0002')).status).toBe(200);
  });

  it('the Stock page lists the store data of the stores on this site, and adds a line', async () => {
    await page.getByRole('navigation', { name: 'Navigator' }).getByRole('button', { name: 'Stock' }).click();
    const lines = page.getByRole('grid', { name: 'Stock lines' });
    await lines.waitFor();
    await page.getByLabel('Store').selectOption({ label: 'Tamaki Central Medical Store (Tamaki)' });
    await eventually(async () => expect(await lines.locator('.data-table-body [role=row]').count()).toBe(4));
    await page.getByLabel('Item code').fill('BAND10');
    await page.getByLabel('Item name').fill('Bandage 10cm');
    await page.getByLabel('Quantity').fill('25');
    await page.getByRole('button', { name: 'Add line' }).click();
    await eventually(async () => expect(await lines.getByRole('row').filter({ hasText: 'Bandage 10cm' }).count()).toBe(1));
    await screenshot(page, 'stock-page');
    await page.getByRole('navigation', { name: 'Navigator' }).getByRole('button', { name: 'Special' }).click();
    await screenshot(page, 'special-page-central');
    await openSynchronisation(page);
  });

  it('shows a view-only user the same windows with every change disabled, and why', async () => {
    await addUser('viewer', 'viewer password', []);
    const viewer = await newPage(browser);
    await logIn(viewer.page, 'viewer', 'viewer password');
    await openSynchronisation(viewer.page);
    expect(await viewer.page.getByText(/you do not have the permission to edit sync settings/i).count()).toBeGreaterThan(0);
    expect(await viewer.page.getByRole('button', { name: 'New' }).isDisabled()).toBe(true);
    expect(await viewer.page.getByRole('button', { name: 'Delete' }).isDisabled()).toBe(true);
    const dialog = await openSite(viewer.page, 'Waikato');
    for (const label of ['Site code', 'Site name', 'Password', 'Type']) {
      expect(await dialog.getByLabel(label).isDisabled()).toBe(true);
    }
    for (const name of ['Add store', 'Remove store', 'Set site as active', 'OK', 'OK & Next']) {
      expect(await dialog.getByRole('button', { name, exact: true }).isDisabled()).toBe(true);
    }
    await screenshot(viewer.page, 'view-only');
    expect(viewer.errors).toEqual([]);
    await viewer.context.close();
  });

  it('two administrators: the out-of-date save is refused and can be reloaded; the other list updates', async () => {
    await addUser('admin2', 'second admin password', [EDIT_SYNC_SETTINGS]);
    const second = await newPage(browser);
    await logIn(second.page, 'admin2', 'second admin password');
    await openSynchronisation(second.page);

    const mine = await openSite(page, 'Hamilton Health');
    const theirs = await openSite(second.page, 'Hamilton Health');
    await theirs.getByLabel('Site code').fill('THEIRS');
    await theirs.getByRole('button', { name: 'OK', exact: true }).click();
    await theirs.waitFor({ state: 'detached' });

    await mine.getByLabel('Site code').fill('MINE');
    await mine.getByRole('button', { name: 'OK', exact: true }).click();
    await eventually(async () => expect(await alertText(mine)).toMatch(/changed by someone else/));
    await screenshot(page, 'changed-by-someone-else');
    await mine.getByRole('button', { name: 'Reload site' }).click();
    await expectValue(mine.getByLabel('Site code'), 'THEIRS');
    await mine.getByRole('button', { name: 'Cancel' }).click();

    // A change saved by the first administrator reaches the second one's open sites window.
    const again = await openSite(page, 'Hamilton Health');
    await again.getByLabel('Site name').fill('Hamilton Hospital');
    await again.getByRole('button', { name: 'OK', exact: true }).click();
    await again.waitFor({ state: 'detached' });
    await second.page.evaluate(() => window.dispatchEvent(new Event('focus')));
    await eventually(async () => expect(await siteRow(second.page, 'Hamilton Hospital').count()).toBe(1), 8000);
    expect(second.errors).toEqual([]);
    await second.context.close();
  });
});
