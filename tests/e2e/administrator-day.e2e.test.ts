/**
 * The administrator's day (issue 11), in a real Chromium against `npm run server`: the keyboard,
 * users and permissions, search and order, site IDs, a mobile site's one store, drafts and
 * messages that are not lost, and a new datafile that becomes a remote site at its first sync.
 */
import type { Browser, Locator, Page } from 'playwright-core';
import { browserOrSkip, E2E_ADMIN, eventually, launchBrowser, newPage, screenshot, type ServerProcess, startServerProcess } from './harness';

const browserPath = browserOrSkip();
const describeWithBrowser = browserPath ? describe : describe.skip;

let central: ServerProcess;
let browser: Browser;
let page: Page;
let pageErrors: string[];

const sitesGrid = (p: Page) => p.getByRole('grid', { name: 'Sites' });
const siteRow = (p: Page, name: string) => sitesGrid(p).getByRole('row').filter({ hasText: name });
const detailsDialog = (p: Page) => p.getByRole('dialog', { name: 'Sites' });

async function logIn(p: Page, url: string, userName: string, password: string) {
  await p.goto(url);
  await p.getByLabel('User name').fill(userName);
  await p.getByLabel('Password').fill(password);
  await p.getByRole('button', { name: 'Log in' }).click();
  await p.getByRole('button', { name: 'Log out' }).waitFor();
}

async function openSynchronisation(p: Page) {
  await p.getByRole('navigation', { name: 'Navigator' }).getByRole('button', { name: 'Special' }).click();
  await p.getByRole('button', { name: 'Synchronisation' }).click();
  await sitesGrid(p).getByRole('row').nth(1).waitFor();
}

async function siteNames(p: Page): Promise<string[]> {
  const cells = sitesGrid(p).locator('.data-table-body [role=row] [role=gridcell]:nth-child(3)');
  return (await cells.allInnerTexts()).map((t) => t.replace('active on this datafile', '').trim());
}

async function expectValue(input: Locator, value: string) {
  await eventually(async () => expect(await input.inputValue()).toBe(value));
}

/** What has the keyboard focus: its role and accessible name, or its label's text. */
async function focused(p: Page): Promise<{ role: string | null; name: string; tag: string }> {
  return p.evaluate(() => {
    const element = document.activeElement as HTMLElement | null;
    const label = element?.id ? document.querySelector(`label[for="${element.id}"]`)?.textContent : null;
    return {
      role: element?.getAttribute('role') ?? null,
      name: element?.getAttribute('aria-label') ?? label ?? element?.textContent?.trim() ?? '',
      tag: element?.tagName.toLowerCase() ?? '',
    };
  });
}

async function newSite(p: Page, name: string): Promise<{ siteId: string; code: string }> {
  await p.getByRole('button', { name: 'New' }).click();
  const dialog = detailsDialog(p);
  await dialog.waitFor();
  await eventually(async () => expect(await dialog.getByLabel('Site ID').inputValue()).not.toBe(''));
  const shown = { siteId: await dialog.getByLabel('Site ID').inputValue(), code: await dialog.getByLabel('Site code').inputValue() };
  await dialog.getByLabel('Site name').fill(name);
  await dialog.getByRole('button', { name: 'OK', exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
  return shown;
}

describeWithBrowser('the administrator’s day in a real browser', () => {
  beforeAll(async () => {
    central = await startServerProcess();
    browser = await launchBrowser(browserPath!);
    ({ page, errors: pageErrors } = await newPage(browser));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await central?.stop();
  });

  afterEach(() => {
    expect(pageErrors).toEqual([]);
  });

  it('keyboard: focus lands on the main action after login, on the list when it opens and after a site closes', async () => {
    await page.goto(central.url);
    await page.getByLabel('User name').waitFor();
    await eventually(async () => expect(await focused(page)).toMatchObject({ name: 'User name' }));
    await page.keyboard.type(E2E_ADMIN.userName);
    await page.keyboard.press('Tab');
    await page.keyboard.type(E2E_ADMIN.password);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Log out' }).waitFor();
    expect(await focused(page)).toMatchObject({ tag: 'button', name: 'Synchronisation' });
    await page.keyboard.press('Enter');
    await sitesGrid(page).getByRole('row').nth(1).waitFor();
    await eventually(async () => expect(await focused(page)).toMatchObject({ role: 'grid', name: 'Sites' }));
    // The focus is visible, and the selected row is highlighted.
    const outline = await sitesGrid(page).evaluate((el) => getComputedStyle(el).outlineStyle);
    expect(outline).not.toBe('none');
    expect(await sitesGrid(page).locator('[aria-selected=true]').innerText()).toMatch(/Tamaki Central/);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    const dialog = detailsDialog(page);
    await dialog.waitFor();
    await expectValue(dialog.getByLabel('Site name'), 'Auckland Hospital');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await eventually(async () => expect(await focused(page)).toMatchObject({ role: 'grid', name: 'Sites' }));
    expect(await sitesGrid(page).locator('[aria-selected=true]').innerText()).toMatch(/Auckland Hospital/);
  });

  it('search folds accents and case, sorts by the locale collation, and puts exact and prefix matches first', async () => {
    for (const name of ['Ōtautahi Clinic', 'Åker Health', 'Waikato Rural', 'North Waikato Rural']) await newSite(page, name);
    await eventually(async () => expect(await siteNames(page)).toContain('North Waikato Rural'));
    const all = await siteNames(page);
    expect(all.indexOf('Åker Health')).toBeLessThan(all.indexOf('Auckland Hospital'));
    const search = page.getByPlaceholder('Type here to search');
    await search.fill('otautahi');
    await eventually(async () => expect(await siteNames(page)).toEqual(['Ōtautahi Clinic']));
    await search.fill('waikato');
    await eventually(async () => expect(await siteNames(page)).toEqual(['Waikato', 'Waikato Rural', 'North Waikato Rural']));
    await search.fill('');
    await eventually(async () => expect((await siteNames(page)).length).toBe(9));
  });

  it('the site name states its 80-character limit in words', async () => {
    await page.getByRole('button', { name: 'New' }).click();
    const dialog = detailsDialog(page);
    await dialog.waitFor();
    await dialog.getByText(/Up to 80 characters/).waitFor();
    await dialog.getByLabel('Site name').fill('x'.repeat(80));
    await dialog.getByText(/at most 80 characters: this one is at the limit/).waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  it('never reuses a site ID, and a default code follows the ID two administrators actually got', async () => {
    // Sites 6 to 9 were created above.
    const temporary = await newSite(page, 'Temporary');
    expect(temporary).toEqual({ siteId: '10', code: '10' });
    await siteRow(page, 'Temporary').click();
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('alertdialog').getByRole('button').last().click();
    await eventually(async () => expect(await siteRow(page, 'Temporary').count()).toBe(0));

    const second = await newPage(browser);
    await logIn(second.page, central.url, E2E_ADMIN.userName, E2E_ADMIN.password);
    await openSynchronisation(second.page);
    await page.getByRole('button', { name: 'New' }).click();
    await second.page.getByRole('button', { name: 'New' }).click();
    const mine = detailsDialog(page);
    const theirs = detailsDialog(second.page);
    await expectValue(mine.getByLabel('Site ID'), '11');
    await expectValue(theirs.getByLabel('Site ID'), '11');
    await mine.getByLabel('Site name').fill('Mine');
    await theirs.getByLabel('Site name').fill('Theirs');
    await mine.getByRole('button', { name: 'OK', exact: true }).click();
    await mine.waitFor({ state: 'detached' });
    await theirs.getByRole('button', { name: 'OK', exact: true }).click();
    await theirs.waitFor({ state: 'detached' });
    await eventually(async () => expect(await siteRow(second.page, 'Theirs').innerText()).toMatch(/^12\s+12\s+Theirs/));
    expect(await siteRow(second.page, 'Mine').innerText()).toMatch(/^11\s+11\s+Mine/);
    expect(second.errors).toEqual([]);
    await second.context.close();
  });

  it('a mobile site refuses a second store at OK, with a clear message', async () => {
    await siteRow(page, 'Kawakawa').dblclick();
    const dialog = detailsDialog(page);
    await expectValue(dialog.getByLabel('Site name'), 'Kawakawa');
    await dialog.getByRole('button', { name: 'Add store' }).click();
    const picker = page.getByRole('dialog', { name: 'Select a store to move to this site' });
    await picker.getByRole('row').filter({ hasText: 'Opua Health Centre' }).dblclick();
    await picker.waitFor({ state: 'detached' });
    await dialog.getByRole('button', { name: 'OK', exact: true }).click();
    await dialog.getByText(/A mobile site has one store/).waitFor();
    await screenshot(page, 'mobile-site-one-store');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  it('warns before a refresh loses a draft; keeps a refusal on screen while the list refreshes', async () => {
    await siteRow(page, 'Waikato Rural').filter({ hasNotText: 'North' }).dblclick();
    const dialog = detailsDialog(page);
    await expectValue(dialog.getByLabel('Site name'), 'Waikato Rural');
    await dialog.getByLabel('Site code').click();
    await page.keyboard.press('End');
    await page.keyboard.type('WR');
    const asked = page.waitForEvent('dialog');
    await page.evaluate(() => setTimeout(() => location.reload(), 0));
    const warning = await asked;
    expect(warning.type()).toBe('beforeunload');
    await warning.dismiss();
    // The page stayed, with the draft.
    await expectValue(dialog.getByLabel('Site code'), '8WR');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });

    await siteRow(page, 'Tamaki Central').click();
    await page.getByRole('button', { name: 'Delete' }).click();
    const alert = page.getByRole('alert');
    await alert.filter({ hasText: 'cannot be deleted' }).waitFor();
    // The list refreshes on focus and every 5 seconds; the message stays through both.
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    await page.waitForTimeout(6000);
    expect(await alert.innerText()).toMatch(/cannot be deleted/);
    await alert.getByRole('button', { name: 'Dismiss' }).click();
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it('Users: New user, the Admin permission on the Permissions tab, and your own Admin cannot be removed', async () => {
    await page.getByRole('navigation', { name: 'Navigator' }).getByRole('button', { name: 'Users' }).click();
    const users = page.getByRole('grid', { name: 'Users' });
    await users
      .getByRole('row')
      .filter({ hasText: /^admin/ })
      .waitFor();
    await eventually(async () => expect(await focused(page)).toMatchObject({ role: 'grid', name: 'Users' }));
    await page.getByRole('button', { name: 'New' }).click();
    let dialog = page.getByRole('dialog', { name: 'New user' });
    await dialog.getByLabel('User name').fill('Aroha');
    await dialog.getByLabel('Password', { exact: true }).fill('aroha password');
    await dialog.getByLabel('Confirm password').fill('aroha password');
    await dialog.getByRole('button', { name: 'OK' }).click();
    await dialog.waitFor({ state: 'detached' });
    await users.getByRole('row').filter({ hasText: 'Aroha' }).waitFor();

    // Aroha can view sites but not change them: the message names the screen that gives the permission.
    const aroha = await newPage(browser);
    await logIn(aroha.page, central.url, 'Aroha', 'aroha password');
    await openSynchronisation(aroha.page);
    expect(await aroha.page.getByText(/An administrator can give it in Users: Edit user > Permissions > Admin/).count()).toBe(1);
    expect(await aroha.page.getByRole('button', { name: 'New' }).isDisabled()).toBe(true);

    // The administrator gives Aroha the Admin permission.
    await users.getByRole('row').filter({ hasText: 'Aroha' }).dblclick();
    dialog = page.getByRole('dialog', { name: 'Edit user' });
    await expectValue(dialog.getByLabel('User name'), 'Aroha');
    await dialog.getByRole('tab', { name: 'Permissions' }).click();
    await dialog.getByRole('checkbox', { name: 'Admin' }).check();
    await screenshot(page, 'users-window');
    await dialog.getByRole('button', { name: 'OK' }).click();
    await dialog.waitFor({ state: 'detached' });
    await eventually(async () => expect(await users.getByRole('row').filter({ hasText: 'Aroha' }).innerText()).toMatch(/Admin/));
    // Permissions are read on every call: Aroha's open window can now edit.
    await aroha.page.reload();
    await openSynchronisation(aroha.page);
    expect(await aroha.page.getByRole('button', { name: 'New' }).isDisabled()).toBe(false);
    expect(aroha.errors).toEqual([]);
    await aroha.context.close();

    // Your own Admin permission cannot be removed.
    await users
      .getByRole('row')
      .filter({ hasText: /^admin/ })
      .dblclick();
    dialog = page.getByRole('dialog', { name: 'Edit user' });
    await expectValue(dialog.getByLabel('User name'), 'admin');
    await dialog.getByRole('tab', { name: 'Permissions' }).click();
    expect(await dialog.getByRole('checkbox', { name: 'Admin' }).isDisabled()).toBe(true);
    await dialog.getByText(/cannot remove your own Admin permission/).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });

    // A disabled user cannot log in.
    await users.getByRole('row').filter({ hasText: 'Aroha' }).dblclick();
    dialog = page.getByRole('dialog', { name: 'Edit user' });
    await expectValue(dialog.getByLabel('User name'), 'Aroha');
    await dialog.getByRole('checkbox', { name: /Disabled/ }).check();
    await dialog.getByRole('button', { name: 'OK' }).click();
    await dialog.waitFor({ state: 'detached' });
    const again = await newPage(browser);
    await again.page.goto(central.url);
    await again.page.getByLabel('User name').fill('Aroha');
    await again.page.getByLabel('Password').fill('aroha password');
    await again.page.getByRole('button', { name: 'Log in' }).click();
    await again.page.getByRole('alert').filter({ hasText: 'This user is disabled' }).waitFor();
    await again.context.close();
  });

  it('a second npm run server on a fresh datafile is a remote site: after its first sync everything shown follows at once', async () => {
    // On the central: Waikato gets a password.
    await openSynchronisation(page);
    await siteRow(page, 'Waikato').filter({ hasNotText: 'Rural' }).dblclick();
    const dialog = detailsDialog(page);
    await expectValue(dialog.getByLabel('Site name'), 'Waikato');
    await dialog.getByLabel('Password').fill('waikato-secret');
    await dialog.getByRole('button', { name: 'OK', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });

    const remoteServer = await startServerProcess({ demo: false });
    const remote = await newPage(browser);
    try {
      await logIn(remote.page, remoteServer.url, E2E_ADMIN.userName, E2E_ADMIN.password);
      const title = remote.page.getByLabel('Active site');
      expect(await title.innerText()).toMatch(/^Central server: Central server \(site ID 1\)/);
      await remote.page.getByLabel('Central server URL').fill(central.url);
      await remote.page.getByRole('region', { name: 'Enabling sync' }).getByLabel('Site name').fill('Waikato');
      await remote.page.getByRole('region', { name: 'Enabling sync' }).getByLabel('Password').fill('waikato-secret');
      await remote.page.getByRole('button', { name: 'Enable sync' }).click();
      await eventually(
        async () => expect(await remote.page.getByRole('region', { name: 'Enabling sync' }).innerText()).toMatch(/Sync is enabled/),
        20_000,
      );
      await remote.page.getByRole('button', { name: 'Sync now' }).click({ timeout: 60_000 });
      // No logging in again: the title follows the datafile's new role.
      await eventually(async () => expect(await title.innerText()).toMatch(/^Remote site: Waikato \(site ID 3\)/), 20_000);
      await remote.page.getByRole('button', { name: 'Synchronisation' }).click();
      await sitesGrid(remote.page).getByRole('row').filter({ hasText: 'Waikato' }).first().waitFor();
      expect(remote.errors).toEqual([]);
    } finally {
      await remote.context.close();
      await remoteServer.stop();
    }
  });
});
