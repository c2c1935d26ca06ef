/**
 * electron-builder afterPack hook: flips the Electron fuses of the packaged binary before it is
 * signed, so the shipped app cannot be turned into a general Node runtime or debugged through
 * environment variables or CLI flags, and loads only its own, integrity-checked app.asar.
 */
const path = require('node:path');
const { flipFuses, FuseVersion, FuseV1Options } = require('@electron/fuses');

/** The fuse settings; tests/electron/packaging.test.ts checks them. */
const fuses = {
  version: FuseVersion.V1,
  // Unsigned Apple Silicon builds need a fresh ad-hoc signature after the binary changes.
  resetAdHocDarwinSignature: true,
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
};

/** Where electron-builder put the Electron binary (the same rule as its own fuse support). */
function electronBinaryPath(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  switch (electronPlatformName) {
    case 'darwin':
    case 'mas':
      return path.join(appOutDir, `${packager.appInfo.productFilename}.app`);
    case 'win32':
      return path.join(appOutDir, `${packager.appInfo.productFilename}.exe`);
    default:
      return path.join(appOutDir, packager.executableName);
  }
}

async function afterPack(context) {
  const binary = electronBinaryPath(context);
  console.log(`  • flipping Electron fuses  binary=${binary}`);
  await flipFuses(binary, fuses);
}

module.exports = afterPack;
module.exports.default = afterPack;
module.exports.fuses = fuses;
module.exports.electronBinaryPath = electronBinaryPath;
