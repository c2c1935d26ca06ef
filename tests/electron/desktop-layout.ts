/**
 * Electron main as a whole under the fake electron: a built layout in a temp folder (with the Node
 * build of better-sqlite3 standing in for the Electron one, since the fake runs under Node), and
 * the window's calls and menu clicks as a person makes them.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startDesktopApp } from '../../main/electron/app';
import { appPageUrl } from '../../main/electron/app-page';
import { tempDir } from '../helpers/core';
import { type BrowserWindow, fake } from '../fakes/electron';

export interface MenuItem {
  id?: string;
  label?: string;
  role?: string;
  click?: () => void;
  submenu?: MenuItem[];
}

export interface BuiltLayout {
  appPath: string;
  bundleDir: string;
  userData: string;
}

export function builtLayout(): BuiltLayout {
  const appPath = tempDir('app-');
  const bundleDir = path.join(appPath, 'dist', 'main');
  fs.mkdirSync(bundleDir, { recursive: true });
  fs.writeFileSync(path.join(bundleDir, 'preload.js'), '');
  fs.mkdirSync(path.join(appPath, 'dist', 'renderer'));
  fs.writeFileSync(path.join(appPath, 'dist', 'renderer', 'index.html'), '<!doctype html>');
  fs.cpSync(path.resolve('db', 'migrations'), path.join(appPath, 'dist', 'migrations'), { recursive: true });
  const native = path.join(appPath, 'native', 'electron', `${process.platform}-${process.arch}`);
  fs.mkdirSync(native, { recursive: true });
  // better-sqlite3 13 is a Node-API module: its prebuilt binary loads in Node and Electron alike.
  fs.copyFileSync(prebuiltSqlite(), path.join(native, 'better_sqlite3.node'));
  return { appPath, bundleDir, userData: path.join(appPath, 'user-data') };
}

export function menuItem(menuLabel: string, itemLabel: string): MenuItem {
  const menus = fake.applicationMenu!.template as MenuItem[];
  const menu = menus.find((m) => m.label?.replace('&', '') === menuLabel);
  const item = menu?.submenu?.find((i) => i.label === itemLabel);
  if (!item) throw new Error(`no ${menuLabel} > ${itemLabel}`);
  return item;
}

export function prepare(layout: BuiltLayout): void {
  fake.reset();
  fake.app.appPath = layout.appPath;
  fake.app.paths = { userData: layout.userData, documents: layout.appPath, logs: path.join(layout.userData, 'logs') };
}

export async function start(layout: BuiltLayout, argv: string[] = []): Promise<void> {
  prepare(layout);
  await startDesktopApp({ argv, bundleDir: layout.bundleDir, logToConsole: false });
}

/** The window's own page (app://), from where the preload sends its calls. */
export function pageOf(window: BrowserWindow): string {
  expect(window.loadedUrl).toBe(appPageUrl);
  return appPageUrl;
}

export async function invoke(window: BrowserWindow, channel: string, payload?: unknown): Promise<any> {
  return fake.handlers.get(channel)!({ sender: { id: window.webContents.id }, senderFrame: { url: pageOf(window), parent: null } }, payload);
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Quits the fake app (if it still runs) and waits until its process would have ended. */
export async function quitApp(): Promise<void> {
  if (fake.app.exitCode === null) fake.app.quit();
  for (let i = 0; i < 500 && fake.app.exitCode === null; i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

export const flush = () => new Promise((resolve) => setTimeout(resolve, 20));

/** better-sqlite3's binary for this machine: a local compile if there is one, else the package's prebuilt. */
export function prebuiltSqlite(): string {
  const compiled = path.resolve('node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
  return fs.existsSync(compiled) ? compiled : path.resolve('node_modules', 'better-sqlite3', 'prebuilds', `${process.platform}-${process.arch}.node`);
}
