/**
 * electron-builder beforePack hook: puts better-sqlite3's binary for the platform and arch being
 * packed (x64, arm64; each half of a universal macOS build) into native/electron/<platform>-<arch>/,
 * which electron-builder.yml's extraResources ship as resources/native. scripts/electron-native.ts
 * copies it from the package's Node-API prebuilds (the same file loads in Node and Electron).
 */
const { spawnSync } = require('node:child_process');
const path = require('node:path');

/** electron-builder's Arch enum (builder-util): 0 ia32, 1 x64, 2 armv7l, 3 arm64, 4 universal. */
const archNames = ['ia32', 'x64', 'armv7l', 'arm64', 'universal'];

function nativeBuildArguments(context) {
  const arch = archNames[context.arch];
  if (arch !== 'x64' && arch !== 'arm64') throw new Error(`No better-sqlite3 binary for arch ${String(arch ?? context.arch)}.`);
  const platform = context.electronPlatformName === 'mas' ? 'darwin' : context.electronPlatformName;
  return [path.join('scripts', 'electron-native.ts'), `--platform=${platform}`, `--arch=${arch}`];
}

async function beforePack(context) {
  const root = path.resolve(__dirname, '..');
  const tsx = require.resolve('tsx/cli', { paths: [root] });
  const result = spawnSync(process.execPath, [tsx, ...nativeBuildArguments(context)], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('better-sqlite3 for Electron could not be put in place (see above).');
}

module.exports = beforePack;
module.exports.default = beforePack;
module.exports.nativeBuildArguments = nativeBuildArguments;
