/**
 * Builds the SECOND copy of better-sqlite3, for Electron's ABI, into native/electron/. The copy in
 * node_modules stays built for Node (tests, tsx scripts, the headless server), so the two runtimes
 * never fight over one binary. Electron main hands this file to better-sqlite3 as `nativeBinding`.
 *
 * It copies node_modules/better-sqlite3 to a temporary folder and there fetches the prebuilt
 * binary for Electron (prebuild-install), or compiles it against Electron's headers (node-gyp)
 * when no prebuilt one exists. Both need internet, so this runs from `npm start` / `npm run dist`
 * and does nothing when a build for the same Electron and better-sqlite3 versions is already there.
 *
 *   tsx scripts/electron-native.ts [--force] [--arch x64|arm64|...]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { electronNativeFolder, nativeBindingFile } from '../main/electron/locations';

const root = path.resolve(__dirname, '..');
const outFolder = path.join(root, electronNativeFolder);
const outFile = path.join(outFolder, nativeBindingFile);
const stampFile = path.join(outFolder, 'build-info.json');

interface BuildInfo {
  electron: string;
  betterSqlite3: string;
  platform: string;
  arch: string;
}

function versionOf(pkg: string): string {
  return (JSON.parse(fs.readFileSync(path.join(root, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
}

function argValue(name: string): string | undefined {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg?.slice(name.length + 3);
}

function run(command: string, args: string[], cwd: string): boolean {
  console.log(`> ${path.basename(command)} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd, stdio: 'inherit', shell: process.platform === 'win32' });
  return result.status === 0;
}

function bin(name: string): string {
  return path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);
}

function main(): void {
  const wanted: BuildInfo = {
    electron: versionOf('electron'),
    betterSqlite3: versionOf('better-sqlite3'),
    platform: process.platform,
    arch: argValue('arch') ?? process.arch,
  };
  if (!process.argv.includes('--force') && fs.existsSync(outFile) && fs.existsSync(stampFile)) {
    const have = JSON.parse(fs.readFileSync(stampFile, 'utf8')) as BuildInfo;
    if (JSON.stringify(have) === JSON.stringify(wanted)) {
      console.log(
        `better-sqlite3 ${wanted.betterSqlite3} for Electron ${wanted.electron} (${wanted.platform}-${wanted.arch}) ` +
          `is already built in ${path.relative(root, outFile)}; skipping. Use --force to build it again.`,
      );
      return;
    }
  }

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'better-sqlite3-electron-'));
  try {
    const copy = path.join(work, 'better-sqlite3');
    fs.cpSync(path.join(root, 'node_modules', 'better-sqlite3'), copy, {
      recursive: true,
      // The Node build must not be mistaken for the Electron one.
      filter: (source) => !source.startsWith(path.join(root, 'node_modules', 'better-sqlite3', 'build')),
    });
    console.log(`Building better-sqlite3 ${wanted.betterSqlite3} for Electron ${wanted.electron} (${wanted.platform}-${wanted.arch})...`);
    const fetched = run(
      bin('prebuild-install'),
      ['--runtime', 'electron', '--target', wanted.electron, '--arch', wanted.arch, '--platform', wanted.platform, '--verbose'],
      copy,
    );
    if (!fetched) {
      console.log('No prebuilt binary could be downloaded; compiling against the Electron headers instead.');
      const compiled = run(
        bin('node-gyp'),
        ['rebuild', '--release', `--target=${wanted.electron}`, `--arch=${wanted.arch}`, '--dist-url=https://electronjs.org/headers'],
        copy,
      );
      if (!compiled) {
        throw new Error(
          'better-sqlite3 could not be built for Electron. This needs internet access (and, without a prebuilt ' +
            'binary, a C++ toolchain: see https://github.com/nodejs/node-gyp#installation).',
        );
      }
    }
    const built = path.join(copy, 'build', 'Release', nativeBindingFile);
    if (!fs.existsSync(built)) throw new Error(`The build finished but ${built} is missing.`);
    fs.mkdirSync(outFolder, { recursive: true });
    fs.copyFileSync(built, outFile);
    fs.writeFileSync(stampFile, `${JSON.stringify(wanted, null, 2)}\n`);
    console.log(`Wrote ${path.relative(root, outFile)}.`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

try {
  main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
