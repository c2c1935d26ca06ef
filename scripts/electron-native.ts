/**
 * Puts better-sqlite3's binary for Electron, for one platform and arch, into
 * native/electron/<platform>-<arch>/better_sqlite3.node. Electron main hands that file to
 * better-sqlite3 as `nativeBinding`; electron-builder.yml ships it as resources/native.
 *
 * better-sqlite3 13 is a Node-API module whose package carries prebuilt binaries for Linux, macOS
 * and Windows on x64 and arm64: the same file loads in Node 24, Node 26 and Electron 45. So there is
 * nothing to compile and nothing to download: the binary for the arch being packed is copied. Runs
 * from `npm start` and from the packaging's beforePack hook (build/before-pack.cjs, once per arch).
 *
 *   tsx scripts/electron-native.ts [--platform=linux|darwin|win32] [--arch=x64|arm64]
 */
import fs from 'node:fs';
import path from 'node:path';
import { electronNativeFolderFor, nativeBindingFile } from '../main/electron/locations';

const root = path.resolve(__dirname, '..');

function argValue(name: string): string | undefined {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg?.slice(name.length + 3);
}

/** The prebuilt binary in better-sqlite3's package for a platform and arch, or a clear error. */
export function prebuiltBinary(platform: string, arch: string): string {
  const folder = path.join(root, 'node_modules', 'better-sqlite3', 'prebuilds');
  const file = path.join(folder, `${platform}-${arch}.node`);
  if (!fs.existsSync(file)) {
    const have = fs.existsSync(folder) ? fs.readdirSync(folder).map((f) => f.replace(/\.node$/, '')) : [];
    throw new Error(`better-sqlite3 has no prebuilt binary for ${platform}-${arch} (it has: ${have.join(', ') || 'none'}).`);
  }
  return file;
}

export function placeElectronNative(platform: string, arch: string): string {
  const source = prebuiltBinary(platform, arch);
  const outFolder = path.join(root, electronNativeFolderFor(platform, arch));
  fs.mkdirSync(outFolder, { recursive: true });
  const outFile = path.join(outFolder, nativeBindingFile);
  fs.copyFileSync(source, outFile);
  return outFile;
}

if (require.main === module) {
  try {
    const platform = argValue('platform') ?? process.platform;
    const arch = argValue('arch') ?? process.arch;
    console.log(`Wrote ${path.relative(root, placeElectronNative(platform, arch))} (better-sqlite3's Node-API binary for ${platform}-${arch}).`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
