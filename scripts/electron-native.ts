/**
 * Builds the SECOND copy of better-sqlite3, for Electron's ABI and one arch, into
 * native/electron/<platform>-<arch>/. The copy in node_modules stays built for Node (tests, tsx
 * scripts, the headless server), so the two runtimes never fight over one binary. Electron main
 * hands this file to better-sqlite3 as `nativeBinding`.
 *
 * It copies node_modules/better-sqlite3 (without its Node build) into a throwaway project and runs
 * @electron/rebuild there, which fetches the prebuilt binary for that Electron and arch or compiles
 * it against Electron's headers. Both need internet, so this runs from `npm start` and from the
 * packaging's beforePack hook (build/before-pack.cjs, once per arch packed), and does nothing when
 * a build for the same Electron, better-sqlite3, platform and arch is already there.
 *
 *   tsx scripts/electron-native.ts [--force] [--arch=x64|arm64|...]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { electronNativeFolderFor, nativeBindingFile } from '../main/electron/locations';

const root = path.resolve(__dirname, '..');

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

async function main(): Promise<void> {
  const wanted: BuildInfo = {
    electron: versionOf('electron'),
    betterSqlite3: versionOf('better-sqlite3'),
    platform: process.platform,
    arch: argValue('arch') ?? process.arch,
  };
  const outFolder = path.join(root, electronNativeFolderFor(wanted.platform, wanted.arch));
  const outFile = path.join(outFolder, nativeBindingFile);
  const stampFile = path.join(outFolder, 'build-info.json');
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
    const copy = path.join(work, 'node_modules', 'better-sqlite3');
    const source = path.join(root, 'node_modules', 'better-sqlite3');
    fs.cpSync(source, copy, {
      recursive: true,
      // The Node build must not be mistaken for the Electron one.
      filter: (file) => !file.startsWith(path.join(source, 'build')),
    });
    fs.writeFileSync(
      path.join(work, 'package.json'),
      JSON.stringify({ name: 'electron-native-build', private: true, dependencies: { 'better-sqlite3': wanted.betterSqlite3 } }),
    );
    console.log(`Building better-sqlite3 ${wanted.betterSqlite3} for Electron ${wanted.electron} (${wanted.platform}-${wanted.arch})...`);
    const { rebuild } = await import('@electron/rebuild');
    try {
      await rebuild({
        buildPath: work,
        electronVersion: wanted.electron,
        arch: wanted.arch,
        onlyModules: ['better-sqlite3'],
        force: true,
      });
    } catch (error) {
      throw new Error(
        'better-sqlite3 could not be built for Electron. This needs internet access (and, without a prebuilt ' +
          `binary, a C++ toolchain: see https://github.com/nodejs/node-gyp#installation). ${error instanceof Error ? error.message : String(error)}`,
      );
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

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
