/**
 * The end-to-end harness: `npm run server` in its own process on a fresh datafile, and Debian's
 * Chromium driven by playwright-core. No browser outside CI: the suite says so loudly and skips;
 * in CI a missing browser fails the run.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { tempDir } from '../helpers/core';

export { eventually } from '../helpers/eventually';

const root = path.resolve(__dirname, '..', '..');

export const E2E_ADMIN = { userName: 'admin', password: 'e2e admin password' };

export function findBrowser(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  return candidates.find((c): c is string => Boolean(c) && fs.existsSync(c!));
}

/** Decides, once per suite, whether the browser tests can run here. */
export function browserOrSkip(): string | undefined {
  const browser = findBrowser();
  if (browser) return browser;
  if (process.env.CI) {
    throw new Error('No Chromium found (looked for $CHROMIUM_PATH and /usr/bin/chromium). CI must install it: apt-get install -y chromium.');
  }
  const line = '!'.repeat(78);
  console.warn(
    `\n${line}\n!! The end-to-end browser tests are SKIPPED: no Chromium was found.\n` +
      `!! Install it with "apt-get install -y chromium" (or set CHROMIUM_PATH) to run them.\n${line}\n`,
  );
  return undefined;
}

export interface ServerProcess {
  url: string;
  datafile: string;
  stop(): Promise<void>;
}

/**
 * `npm run server -- --datafile <fresh> --port 0 --demo`, in its own process. Without the demo it is
 * a new datafile: a remote site in waiting, driven from a browser (Enabling sync, Sync now).
 */
export async function startServerProcess(options: { demo?: boolean } = {}): Promise<ServerProcess> {
  const datafile = path.join(tempDir('e2e-'), 'server.sqlite');
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(root, 'scripts', 'server.ts'),
      '--datafile',
      datafile,
      '--port',
      '0',
      ...(options.demo === false ? [] : ['--demo']),
    ],
    {
      cwd: root,
      env: { ...process.env, SYNC_ADMIN_USER: E2E_ADMIN.userName, SYNC_ADMIN_PASSWORD: E2E_ADMIN.password },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The server did not start in time:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(/listening on (https?:\/\/\S+)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The server exited (${code}):\n${output}`));
    });
  });
  return {
    url,
    datafile,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}

export async function launchBrowser(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

const screenshotDir = process.env.UPDATE_SCREENSHOTS ? path.join(root, 'docs', 'screenshots') : path.join(root, 'test-results', 'screenshots');

/** Saves what the person sees; `UPDATE_SCREENSHOTS=1` writes the set committed under docs/. */
export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
}

/** A browser tab. Its language is English unless asked (the window follows the browser's language). */
export async function newPage(browser: Browser, locale = 'en-US'): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of 4\d\d/.test(message.text())) errors.push(message.text());
  });
  return { context, page, errors };
}
