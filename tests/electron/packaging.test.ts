/**
 * The build and the electron-builder configuration: the config is valid for electron-builder's own
 * schema, every path it names exists after `scripts/build.ts`, and the afterPack hook really flips
 * the fuses of a binary. (Packaging itself needs the Electron binary and internet, so it is not run.)
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { electronNativeFolder, packagedMigrationsFolder, packagedNativeFolder } from '../../main/electron/locations';
import { tempDir } from '../helpers/core';

const root = path.resolve(__dirname, '..', '..');
const fromRoot = (...parts: string[]) => path.join(root, ...parts);

// The YAML parser electron-builder itself uses.
const yaml = require(require.resolve('js-yaml', { paths: [path.dirname(require.resolve('app-builder-lib'))] })) as {
  load(text: string): unknown;
};

interface FileSet {
  from: string;
  to: string;
  filter?: string[];
}
interface BuilderConfig {
  files: string[];
  extraResources: FileSet[];
  afterPack: string;
  asarUnpack: string[];
  npmRebuild: boolean;
  directories: { output: string };
  linux: { target: string[] };
  win: { target: string[] };
  mac: { target: string[] };
  [key: string]: unknown;
}

const config = yaml.load(fs.readFileSync(fromRoot('electron-builder.yml'), 'utf8')) as BuilderConfig;

function filesUnder(folder: string): string[] {
  return fs.readdirSync(folder, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => d.name);
}

// dist/ is built once for the whole run by tests/global-setup.ts (jest's globalSetup).

describe('electron-builder.yml', () => {
  const ajv = new Ajv({ strict: false, allErrors: true });
  const validate = ajv.compile(JSON.parse(fs.readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8')));

  it("is valid for electron-builder's own JSON schema", () => {
    const valid = validate(config);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    // The schema is strict enough to notice a mistake.
    expect(validate({ ...config, extraResources: [{ form: 'dist/migrations' }] })).toBe(false);
  });

  it('packages only what exists after the build', () => {
    for (const pattern of config.files.filter((p) => !p.startsWith('!'))) {
      const base = pattern.replace(/\/\*\*.*$/, '');
      expect(fs.existsSync(fromRoot(base))).toBe(true);
    }
    const packaged = filesUnder(fromRoot('dist'));
    expect(packaged).toEqual(expect.arrayContaining(['main.js', 'preload.js', 'index.html', 'styles.css', '_journal.json']));
    const pkg = JSON.parse(fs.readFileSync(fromRoot('package.json'), 'utf8')) as { main: string };
    expect(fs.existsSync(fromRoot(pkg.main))).toBe(true);
  });

  it('ships the migrations and the Electron build of SQLite where main looks for them', () => {
    const migrations = config.extraResources.find((r) => r.to === packagedMigrationsFolder);
    expect(migrations?.from).toBe('dist/migrations');
    expect(fs.existsSync(fromRoot(migrations!.from, 'meta', '_journal.json'))).toBe(true);

    // native/electron is made by scripts/electron-native.ts, which needs internet, so it may be
    // missing here: the filter and electron-builder's skip-with-warning allow that.
    const native = config.extraResources.find((r) => r.to === packagedNativeFolder);
    expect(native?.from).toBe(electronNativeFolder.split(path.sep).join('/'));
    expect(native?.filter).toEqual(['*.node']);
    expect(fs.readFileSync(fromRoot('scripts', 'electron-native.ts'), 'utf8')).toContain('electronNativeFolder');
  });

  it('keeps the native module out of the asar and never rebuilds the Node copy of better-sqlite3', () => {
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['**/*.node', '**/node_modules/better-sqlite3/**']));
    expect(config.npmRebuild).toBe(false);
    expect(config.directories.output).toBe('release');
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
  });
});

describe('the afterPack hook', () => {
  const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
  const hook = require(fromRoot(config.afterPack)) as ((context: unknown) => Promise<void>) & {
    electronBinaryPath(context: unknown): string;
  };

  it('exists and names the packaged binary per platform', () => {
    expect(fs.existsSync(fromRoot(config.afterPack))).toBe(true);
    const packager = { appInfo: { productFilename: 'mSupply Sync Sites' }, executableName: 'msupply-sync-sites' };
    expect(hook.electronBinaryPath({ appOutDir: '/out', electronPlatformName: 'win32', packager })).toBe(
      path.join('/out', 'mSupply Sync Sites.exe'),
    );
    expect(hook.electronBinaryPath({ appOutDir: '/out', electronPlatformName: 'darwin', packager })).toBe(
      path.join('/out', 'mSupply Sync Sites.app'),
    );
    expect(hook.electronBinaryPath({ appOutDir: '/out', electronPlatformName: 'linux', packager })).toBe(
      path.join('/out', 'msupply-sync-sites'),
    );
  });

  it('flips the fuses of the packaged binary', async () => {
    const appOutDir = tempDir('packed-');
    const binary = path.join(appOutDir, 'msupply-sync-sites');
    // Electron's default wire: RunAsNode, NODE_OPTIONS and --inspect on; cookie encryption, asar
    // integrity and asar-only off; then two fuses this app leaves alone.
    const before = '10110001';
    jest.spyOn(console, 'log').mockImplementation(() => {});
    fs.writeFileSync(binary, Buffer.concat([Buffer.from('ELF...'), Buffer.from(SENTINEL), Buffer.from([1, 8]), Buffer.from(before), Buffer.from('...')]));

    await hook({ appOutDir, electronPlatformName: 'linux', packager: { executableName: 'msupply-sync-sites', appInfo: {} } });

    const bytes = fs.readFileSync(binary);
    const at = bytes.indexOf(SENTINEL) + SENTINEL.length + 2;
    const wire = bytes.subarray(at, at + 8).toString();
    expect(wire).toBe(
      [
        '0', // RunAsNode off
        '1', // EnableCookieEncryption on
        '0', // EnableNodeOptionsEnvironmentVariable off
        '0', // EnableNodeCliInspectArguments off
        '1', // EnableEmbeddedAsarIntegrityValidation on
        '1', // OnlyLoadAppFromAsar on
        '0', // LoadBrowserProcessSpecificV8Snapshot: unchanged
        '1', // GrantFileProtocolExtraPrivileges: unchanged
      ].join(''),
    );
  });
});

describe('the bundles', () => {
  it('give the sandboxed preload nothing to require but electron', () => {
    const preload = fs.readFileSync(fromRoot('dist', 'main', 'preload.js'), 'utf8');
    const required = [...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect(new Set(required)).toEqual(new Set(['electron']));
    expect(preload).toContain('exposeInMainWorld');
  });

  it('keep electron and better-sqlite3 external to main, and bundle the rest', () => {
    const main = fs.readFileSync(fromRoot('dist', 'main', 'main.js'), 'utf8');
    const required = new Set([...main.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]!));
    // ajv and fast-json-stringify (inside fastify, for the in-app central server) carry code
    // templates for their "standalone" code generation that mention their own files; those strings
    // are never run by fastify, and the packages themselves are bundled.
    const inCodeTemplates = /^(ajv|ajv-formats|fast-json-stringify)\//;
    const nonBuiltin = [...required].filter(
      (r) => !r.startsWith('node:') && !require('node:module').isBuiltin(r) && !inCodeTemplates.test(r),
    );
    expect(nonBuiltin.sort()).toEqual(['better-sqlite3', 'electron']);
  });
});
