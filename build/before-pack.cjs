/**
 * electron-builder beforePack hook: builds better-sqlite3 for Electron and for the arch being packed
 * (x64, arm64; each half of a universal macOS build) into native/electron/<platform>-<arch>/, which
 * electron-builder.yml's extraResources ship as resources/native. scripts/electron-native.ts does
 * the work with @electron/rebuild and skips an arch already built for the same versions.
 */
const { spawnSync } = require('node:child_process');
const path = require('node:path');

/** electron-builder's Arch enum (builder-util): 0 ia32, 1 x64, 2 armv7l, 3 arm64, 4 universal. */
const archNames = ['ia32', 'x64', 'armv7l', 'arm64', 'universal'];

function nativeBuildArguments(context) {
  const arch = archNames[context.arch];
  if (!arch || arch === 'universal') throw new Error(`No better-sqlite3 build for arch ${String(context.arch)}.`);
  const host = process.platform;
  if (context.electronPlatformName !== host && !(context.electronPlatformName === 'mas' && host === 'darwin')) {
    throw new Error(
      `Packaging for ${context.electronPlatformName} must run on ${context.electronPlatformName}: the SQLite driver is a native module built on the machine that packs it.`,
    );
  }
  return [path.join('scripts', 'electron-native.ts'), `--arch=${arch}`];
}

async function beforePack(context) {
  const root = path.resolve(__dirname, '..');
  const tsx = require.resolve('tsx/cli', { paths: [root] });
  const result = spawnSync(process.execPath, [tsx, ...nativeBuildArguments(context)], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('better-sqlite3 could not be built for Electron (see above).');
}

module.exports = beforePack;
module.exports.default = beforePack;
module.exports.nativeBuildArguments = nativeBuildArguments;
