/**
 * Issue 16 in a real Chromium against `npm run server`: the windows in French, with no English left
 * along Log in → Synchronisation → a site → Add store (names of sites, stores and users, and the
 * product name, apart); the choice remembered for the user in the datafile; the browser's own
 * language as the default; and the pseudo-locale, where anything not translated stands out.
 */
import type { Browser, Page } from 'playwright-core';
import { demoSites, demoStores } from '../../main/services/datafile-setup';
import { resources } from '../../shared/locales/resources';
import { browserOrSkip, E2E_ADMIN, launchBrowser, newPage, screenshot, type ServerProcess, startServerProcess } from './harness';

const browserPath = browserOrSkip();
const describeWithBrowser = browserPath ? describe : describe.skip;

let server: ServerProcess;
let browser: Browser;

/** Every text a person reads (or hears): visible text, and placeholders, tooltips and accessible names. */
async function shownTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const texts: string[] = [];
    const visible = (element: Element | null) => {
      if (!element) return false;
      // The language picker names each language in itself; the hardware ID is a value.
      if (element.closest('option, code, .visually-hidden')) return false;
      const style = getComputedStyle(element);
      return style.display !== 'none' && style.visibility !== 'hidden' && element.getClientRects().length > 0;
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.textContent?.trim() && visible(node.parentElement)) texts.push(node.textContent.trim());
    }
    for (const element of document.body.querySelectorAll('[placeholder], [title], [aria-label]')) {
      if (!visible(element)) continue;
      for (const attribute of ['placeholder', 'title', 'aria-label']) {
        const value = element.getAttribute(attribute);
        if (value?.trim()) texts.push(value.trim());
      }
    }
    return texts;
  });
}

/** The demo's names, the logged-in user and the product name: the same words in every language. */
const names = [
  ...demoSites.map((s) => s.name),
  ...demoStores.flatMap((s) => [s.name, s.code]),
  E2E_ADMIN.userName,
  // The apps sites sync from, by their own names.
  'mSupply Mobile',
  'mSupply',
].sort((a, b) => b.length - a.length);

/** English words that no French window uses (French shares "site", "code", "type", "stock", "central"...). */
const englishOnly = new Set(
  (
    'the of and to is are this that with store stores log password name user add remove cancel delete new search loading ' +
    'close set sync here settings details check connection hardware reset select move current server no not has only ' +
    'needing attention last reload next standalone device status queued buffered refused connected never ago ' +
    'just now what do failed enable enabling interval showing there in out you your please confirm dismiss'
  ).split(' '),
);

/** English sentences of the app that French words differently, as fragments between {{variables}}. */
function englishFragments(language: 'fr' | 'es'): string[] {
  const fragments = new Set<string>();
  for (const [ns, strings] of Object.entries(resources.en)) {
    const translated = resources[language][ns as keyof typeof resources.en] as Record<string, string>;
    for (const [key, text] of Object.entries(strings as Record<string, string>)) {
      if (translated[key] === text) continue;
      for (const part of text.split(/\{\{[^}]*\}\}/)) if (part.trim().split(/\s+/).length >= 2) fragments.add(part.trim());
    }
  }
  return [...fragments];
}

async function expectNoEnglish(page: Page, where: string, language: 'fr' | 'es' = 'fr') {
  const fragments = englishFragments(language);
  const found: string[] = [];
  for (const text of await shownTexts(page)) {
    let rest = text;
    for (const name of names) rest = rest.split(name).join(' ');
    const words = rest.toLowerCase().match(/[a-z]+/g) ?? [];
    // Spanish says "no" too.
    const english = words.filter((w) => englishOnly.has(w) && !(language === 'es' && w === 'no'));
    const sentence = fragments.find((f) => rest.includes(f));
    if (english.length > 0 || sentence) found.push(`${text}  [${sentence ?? english.join(', ')}]`);
  }
  expect({ where, english: found }).toEqual({ where, english: [] });
}

/** Logs in with the login page's words, then waits for the Navigator in the words of `logOut`. */
async function logIn(page: Page, labels: { user: string; password: string; button: string }, logOut: string) {
  await page.getByLabel(labels.user).fill(E2E_ADMIN.userName);
  await page.getByLabel(labels.password).fill(E2E_ADMIN.password);
  await page.getByRole('button', { name: labels.button }).click();
  await page.getByRole('button', { name: logOut }).waitFor();
}

const french = { user: 'Nom d’utilisateur', password: 'Mot de passe', button: 'Se connecter' };
const english = { user: 'User name', password: 'Password', button: 'Log in' };

describeWithBrowser('the windows in the languages of their users', () => {
  beforeAll(async () => {
    server = await startServerProcess();
    browser = await launchBrowser(browserPath!);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('in French from Log in to Add store, no English is left; the choice is the user’s, in any browser', async () => {
    const { context, page, errors } = await newPage(browser);
    await page.goto(server.url);
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('en');

    await page.getByLabel('Language').selectOption('fr');
    await page.getByRole('heading', { name: 'Connexion' }).waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
    await expectNoEnglish(page, 'Log in');

    await logIn(page, french, 'Se déconnecter');
    await expectNoEnglish(page, 'Navigator, Special page');
    await screenshot(page, 'navigator-special-fr');
    await page.getByRole('navigation').getByRole('button', { name: 'Utilisateurs' }).click();
    await page.getByRole('grid', { name: 'Utilisateurs' }).getByRole('row').nth(1).waitFor();
    await expectNoEnglish(page, 'Users');
    await screenshot(page, 'users-window-fr');
    await page.getByRole('navigation').getByRole('button', { name: 'Spécial' }).click();

    await page.getByRole('button', { name: 'Synchronisation' }).click();
    const grid = page.getByRole('grid', { name: 'Sites' });
    await grid.getByRole('row').filter({ hasText: 'Auckland Hospital' }).waitFor();
    await expectNoEnglish(page, 'Synchronisation sites');
    await screenshot(page, 'sites-window-fr');

    await grid.getByRole('row').filter({ hasText: 'Auckland Hospital' }).dblclick();
    const site = page.getByRole('dialog', { name: 'Sites' });
    await site.getByLabel('Nom du site').waitFor();
    expect(await site.getByLabel('Nom du site').inputValue()).toBe('Auckland Hospital');
    await site.getByRole('button', { name: 'Ajouter un magasin' }).waitFor();
    await expectNoEnglish(page, 'Site details');
    await screenshot(page, 'site-details-fr');

    await site.getByRole('button', { name: 'Ajouter un magasin' }).click();
    const picker = page.getByRole('dialog', { name: 'Choisir un magasin à déplacer vers ce site' });
    await picker.getByRole('row').filter({ hasText: 'Kopu Health Centre' }).waitFor();
    await expectNoEnglish(page, 'Add store');
    await screenshot(page, 'store-picker-fr');
    await picker.getByRole('button', { name: 'Annuler' }).click();
    await site.getByRole('button', { name: 'Annuler' }).click();
    expect(errors).toEqual([]);
    await context.close();

    // Another browser, in English: the login page is English; once the user is known, French again.
    const other = await newPage(browser);
    await other.page.goto(server.url);
    await other.page.getByRole('heading', { name: 'Log in' }).waitFor();
    await logIn(other.page, english, 'Se déconnecter');
    expect(await other.page.getAttribute('html', 'lang')).toBe('fr');

    // Back to English, from the Navigator: remembered for the user again.
    await other.page.getByLabel('Langue').selectOption('en');
    await other.page.getByRole('button', { name: 'Log out' }).click();
    await other.context.close();
    const third = await newPage(browser, 'es-ES');
    await third.page.goto(server.url);
    // A Spanish browser opens in Spanish; the user's English wins once they log in.
    await third.page.getByRole('heading', { name: 'Iniciar sesión' }).waitFor();
    expect(await third.page.getAttribute('html', 'lang')).toBe('es');
    await logIn(third.page, { user: 'Nombre de usuario', password: 'Contraseña', button: 'Iniciar sesión' }, 'Log out');
    expect(await third.page.getAttribute('html', 'lang')).toBe('en');
    // The sites window in Spanish has no English either.
    await third.page.getByLabel('Language').selectOption('es');
    await third.page.getByRole('button', { name: 'Sincronización' }).click();
    await third.page.getByRole('grid', { name: 'Sitios' }).getByRole('row').filter({ hasText: 'Kopu HC' }).waitFor();
    await expectNoEnglish(third.page, 'Sitios de sincronización', 'es');
    await screenshot(third.page, 'sites-window-es');
    await third.context.close();
  });

  test('in the pseudo-locale every string is accented and longer, so a string left untranslated shows', async () => {
    const { context, page, errors } = await newPage(browser);
    await page.goto(`${server.url}/?lang=en-XA`);
    expect(await page.getAttribute('html', 'lang')).toBe('en-XA');
    await page.locator('#login-title').waitFor();
    await page.locator('input[type=text]').fill(E2E_ADMIN.userName);
    await page.locator('input[type=password]').fill(E2E_ADMIN.password);
    await page.locator('button[type=submit]').click();
    await page.locator('.special-buttons .big-button').click();
    await page.locator('.sites-table [role=row]').filter({ hasText: 'Auckland Hospital' }).waitFor();
    await screenshot(page, 'sites-window-pseudo');
    const untranslated: string[] = [];
    for (const text of await shownTexts(page)) {
      let rest = text;
      for (const name of names) rest = rest.split(name).join(' ');
      // A pseudo-locale string is [Ŝţŕîñĝ~~~]: plain ASCII words outside brackets came from nowhere.
      rest = rest.replace(/\[[^\]]*\]/g, ' ');
      if (/[A-Za-z]{3,}/.test(rest)) untranslated.push(text);
    }
    expect(untranslated).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});
