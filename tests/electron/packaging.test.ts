/**
 * The build and the electron-builder configuration. electron-builder cannot download Electron
 * here, so the package is not made; instead its own file matching (app-builder-lib's
 * getMainFileMatchers / getNodeModuleFileMatcher, the functions `electron-builder` runs) is applied
 * to the built tree, and the resulting file list is checked against what the app runs: the
 * bundles, the renderer, the migrations once, the Electron build of SQLite for the arch packed, and
 * nothing of node_modules.
 */
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { electronNativeFolder, nativeBindingFile, packagedMigrationsFolder, packagedNativeFolder } from '../../main/electron/locations';

const root = path.resolve(__dirname, '..', '..');
const fromRoot = (...parts: string[]) => path.join(root, ...parts);
const builderLib = path.dirname(require.resolve('app-builder-lib'));

// The YAML parser electron-builder itself uses.
const yaml = require(require.resolve('js-yaml', { paths: [builderLib] })) as { load(text: string): unknown };
const { getMainFileMatchers, getNodeModuleFileMatcher } = require(path.join(builderLib, 'fileMatcher.js')) as {
  getMainFileMatchers(...args: unknown[]): { createFilter(): (file: string, stat: fs.Stats) => boolean }[];
  getNodeModuleFileMatcher(...args: unknown[]): { createFilter(): (file: string, stat: fs.Stats) => boolean };
};
const { expandMacro } = require(path.join(builderLib, 'util', 'macroExpander.js')) as {
  expandMacro(pattern: string, arch: string | null, appInfo: unknown): string;
};

interface FileSet {
  from: string;
  to: string;
  filter?: string[];
}
interface BuilderConfig {
  files: string[];
  extraResources: FileSet[];
  beforePack: string;
  afterPack?: string;
  asarUnpack: string[];
  npmRebuild: boolean;
  electronFuses: Record<string, boolean>;
  directories: { output: string; buildResources: string };
  linux: { target: string[] };
  win: { target: string[] };
  mac: { target: string[] };
  [key: string]: unknown;
}

const config = yaml.load(fs.readFileSync(fromRoot('electron-builder.yml'), 'utf8')) as BuilderConfig;

/** Every file under `folder` (relative, with /) that electron-builder's filter lets through. */
function walk(folder: string, filter: (file: string, stat: fs.Stats) => boolean, base = folder): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    const stat = fs.statSync(full);
    if (!filter(full, stat)) continue;
    if (stat.isDirectory()) found.push(...walk(full, filter, base));
    else found.push(path.relative(base, full).split(path.sep).join('/'));
  }
  return found.sort();
}

/** The production dependencies electron-builder would collect (package.json "dependencies", transitively). */
function productionModules(): string[] {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name) || !fs.existsSync(fromRoot('node_modules', name, 'package.json'))) return;
    seen.add(name);
    const pkg = JSON.parse(fs.readFileSync(fromRoot('node_modules', name, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep);
  };
  const pkg = JSON.parse(fs.readFileSync(fromRoot('package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep);
  return [...seen];
}

const arch = 'arm64';
const macroExpander = (pattern: string) => expandMacro(pattern, arch, { productFilename: 'mSupply Sync Sites', version: '0.1.0' });
const packager = {
  info: {
    projectDir: root,
    buildResourcesDir: config.directories.buildResources,
    isPrepackedAppAsar: false,
    config,
    debugLogger: { isEnabled: false },
  },
  config,
  debugLogger: { isEnabled: false },
};

/** What electron-builder would put in app.asar, from this project as built. */
function asarFiles(): string[] {
  const [matcher] = getMainFileMatchers(root, '/app', macroExpander, {}, packager, fromRoot(config.directories.output), false);
  const appFiles = walk(root, matcher!.createFilter());
  const modulesFilter = getNodeModuleFileMatcher(root, '/app', macroExpander, {}, packager.info).createFilter();
  const moduleFiles = productionModules().flatMap((name) =>
    walk(fromRoot('node_modules', name), modulesFilter, root).filter((f) => modulesFilter(fromRoot(f), fs.statSync(fromRoot(f)))),
  );
  return [...appFiles, ...moduleFiles].sort();
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
    expect(validate({ ...config, electronFuses: { grantFileProtocolExtraPriviledges: false } })).toBe(false);
  });

  it('ships in app.asar exactly the bundles and the renderer the app runs: no source maps, no migrations, no node_modules', () => {
    const files = asarFiles();
    const built = walk(fromRoot('dist'), () => true).map((f) => `dist/${f}`);
    const expected = built
      .filter((f) => !f.endsWith('.map') && !f.startsWith('dist/migrations/'))
      .concat('package.json')
      .sort();
    expect(files).toEqual(expected);
    expect(files).toEqual(expect.arrayContaining(['dist/main/main.js', 'dist/main/preload.js', 'dist/renderer/index.html', 'package.json']));
    expect(files.filter((f) => f.includes('node_modules'))).toEqual([]);
    const pkg = JSON.parse(fs.readFileSync(fromRoot('package.json'), 'utf8')) as { main: string };
    expect(files).toContain(pkg.main);
  });

  it('ships the migrations once and the Electron build of SQLite for the arch being packed, where main looks for them', () => {
    const migrations = config.extraResources.filter((r) => r.to === packagedMigrationsFolder);
    expect(migrations).toEqual([{ from: 'dist/migrations', to: packagedMigrationsFolder }]);
    expect(fs.existsSync(fromRoot('dist', 'migrations', 'meta', '_journal.json'))).toBe(true);

    const native = config.extraResources.find((r) => r.to === packagedNativeFolder)!;
    const electronFolder = electronNativeFolder.split(path.sep).join('/');
    expect(macroExpander(native.from)).toBe(`${electronFolder}/${process.platform}-${arch}`);
    expect(native.filter).toEqual(['*.node']);
    expect(nativeBindingFile).toMatch(/\.node$/);
    expect(config.extraResources).toHaveLength(2);
  });

  it("ships better-sqlite3's Node-API binary for the platform and arch packed (beforePack), never rebuilding node_modules", () => {
    const hook = require(fromRoot(config.beforePack)) as { nativeBuildArguments(context: unknown): string[] };
    const script = path.join('scripts', 'electron-native.ts');
    expect(hook.nativeBuildArguments({ arch: 3, electronPlatformName: 'darwin' })).toEqual([script, '--platform=darwin', '--arch=arm64']);
    expect(hook.nativeBuildArguments({ arch: 1, electronPlatformName: 'win32' })).toEqual([script, '--platform=win32', '--arch=x64']);
    expect(hook.nativeBuildArguments({ arch: 1, electronPlatformName: 'mas' })).toEqual([script, '--platform=darwin', '--arch=x64']);
    expect(() => hook.nativeBuildArguments({ arch: 0, electronPlatformName: 'win32' })).toThrow(/No better-sqlite3 binary for arch ia32/);
    // Every platform and arch the hook can ask for has a binary in the package.
    const { prebuiltBinary } = require(fromRoot('scripts', 'electron-native.ts')) as { prebuiltBinary(p: string, a: string): string };
    for (const platform of ['linux', 'darwin', 'win32']) {
      for (const arch of ['x64', 'arm64']) expect(fs.statSync(prebuiltBinary(platform, arch)).size).toBeGreaterThan(100_000);
    }
    expect(() => prebuiltBinary('linux', 'ia32')).toThrow(/no prebuilt binary for linux-ia32/);
    expect(config.npmRebuild).toBe(false);
    expect(config.asarUnpack).toEqual(['**/*.node']);
  });

  it("turns Electron's fuses with electron-builder's own electronFuses, file:// privileges included", () => {
    expect(config.afterPack).toBeUndefined();
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false,
      resetAdHocDarwinSignature: true,
    });
  });

  it('has its icon and targets: deb first on Linux, nsis, dmg', () => {
    const icon = fs.readFileSync(fromRoot('build', 'icon.png'));
    expect(icon.subarray(1, 4).toString()).toBe('PNG');
    expect(icon.readUInt32BE(16)).toBeGreaterThanOrEqual(512);
    expect(config.directories.output).toBe('release');
    expect(config.linux.target).toEqual(['deb', 'AppImage']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
  });
});

describe('the bundles', () => {
  it('give the sandboxed preload nothing to require but electron', () => {
    const preload = fs.readFileSync(fromRoot('dist', 'main', 'preload.js'), 'utf8');
    const required = [...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect(new Set(required)).toEqual(new Set(['electron']));
    expect(preload).toContain('exposeInMainWorld');
  });

  it('keep only electron external to main, and bundle the rest (better-sqlite3 included)', () => {
    const main = fs.readFileSync(fromRoot('dist', 'main', 'main.js'), 'utf8');
    const required = new Set([...main.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]!));
    // ajv and fast-json-stringify (inside fastify, for the in-app central server) carry code
    // templates for their "standalone" code generation that mention their own files; those strings
    // are never run by fastify, and the packages themselves are bundled.
    const inCodeTemplates = /^(ajv|ajv-formats|fast-json-stringify)\//;
    const nonBuiltin = [...required].filter((r) => !r.startsWith('node:') && !require('node:module').isBuiltin(r) && !inCodeTemplates.test(r));
    expect(nonBuiltin.sort()).toEqual(['electron']);
    expect(main).toContain('nativeBinding');
  });
});
