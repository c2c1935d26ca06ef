/**
 * The BUILT main bundle (dist/main/main.js), run by Node in a folder laid out like the packaged app
 * (app/dist from the asar file list, resources/migrations, resources/native/better_sqlite3.node)
 * with a plain `electron` stub beside it and no node_modules at all: it opens its datafile with the
 * bundled better-sqlite3 and the native binary by path, serves its page from app:// with the CSP
 * header, and on quit leaves no lock behind. The binary is the one packaging ships: better-sqlite3's
 * Node-API prebuild, which loads in Node and Electron alike.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { contentSecurityPolicy } from '../../main/electron/app-page';
import { tempDir } from '../helpers/core';
import { prebuiltBinary } from '../../scripts/electron-native';

const root = path.resolve(__dirname, '..', '..');

it('starts from the packaged layout without node_modules, serves app:// with the CSP, and quits leaving no lock', () => {
  const packaged = tempDir('packaged-');
  fs.cpSync(path.join(root, 'dist', 'main'), path.join(packaged, 'app', 'dist', 'main'), { recursive: true });
  fs.cpSync(path.join(root, 'dist', 'renderer'), path.join(packaged, 'app', 'dist', 'renderer'), { recursive: true });
  fs.writeFileSync(path.join(packaged, 'app', 'package.json'), fs.readFileSync(path.join(root, 'package.json')));
  fs.cpSync(path.join(root, 'dist', 'migrations'), path.join(packaged, 'resources', 'migrations'), { recursive: true });
  fs.mkdirSync(path.join(packaged, 'resources', 'native'), { recursive: true });
  fs.copyFileSync(prebuiltBinary(process.platform, process.arch), path.join(packaged, 'resources', 'native', 'better_sqlite3.node'));
  fs.mkdirSync(path.join(packaged, 'node_modules', 'electron'), { recursive: true });
  fs.copyFileSync(path.join(root, 'tests', 'fixtures', 'electron-stub.cjs'), path.join(packaged, 'node_modules', 'electron', 'index.js'));

  const run = spawnSync(
    process.execPath,
    [
      '-e',
      `process.resourcesPath = ${JSON.stringify(path.join(packaged, 'resources'))}; require(${JSON.stringify(path.join(packaged, 'app', 'dist', 'main', 'main.js'))});`,
    ],
    { cwd: packaged, env: { PATH: process.env.PATH, STUB_ROOT: packaged }, encoding: 'utf8', timeout: 30_000 },
  );
  const facts = run.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  expect({ stderr: run.stderr, errors: facts.filter((f) => f.errorBox || f.messageBox) }).toEqual({ stderr: '', errors: [] });
  expect(facts).toEqual([
    { privileged: ['app'] },
    { menu: true },
    { loaded: 'app://sync-sites/index.html', status: 200, csp: contentSecurityPolicy, html: '<!doctype html>' },
    { datafileLockWhileRunning: true },
    { exit: 0, lock: false, wal: false },
  ]);
  expect(run.status).toBe(0);
  expect(fs.existsSync(path.join(packaged, 'user-data', 'logs', 'main.log'))).toBe(true);
});
