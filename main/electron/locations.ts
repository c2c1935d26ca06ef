/**
 * Where the desktop app finds its pieces, from source (`npm start`) and when packaged. The layout is
 * made by scripts/build.ts, scripts/electron-native.ts and electron-builder.yml; this file is the
 * one place that reads it. No electron import: main passes in what electron knows.
 */
import fs from 'node:fs';
import path from 'node:path';

/**
 * The better-sqlite3 builds for Electron's ABI, one folder per platform and arch
 * (native/electron/linux-x64/...), beside (never replacing) the Node build in node_modules.
 */
export const electronNativeFolder = path.join('native', 'electron');
export function electronNativeFolderFor(platform: string, arch: string): string {
  return path.join(electronNativeFolder, `${platform}-${arch}`);
}
export const nativeBindingFile = 'better_sqlite3.node';
/** Where electron-builder.yml puts the folder above inside the packaged app's resources. */
export const packagedNativeFolder = 'native';
export const packagedMigrationsFolder = 'migrations';

export const defaultDatafileName = 'datafile.sqlite';

export interface LocationInputs {
  isPackaged: boolean;
  /** process.resourcesPath: the packaged app's resources folder. */
  resourcesPath: string;
  /** app.getAppPath(): the project folder from source, app.asar when packaged. */
  appPath: string;
  /** The folder of the main bundle (dist/main). */
  bundleDir: string;
  userDataPath: string;
}

export interface AppLocations {
  rendererIndex: string;
  rendererFolder: string;
  preload: string;
  migrationsFolder: string;
  nativeBinding: string;
  defaultDatafile: string;
  hardwareIdFallbackFile: string;
  /** The server address last connected to (File > Connect to server...). */
  lastServerFile: string;
  /** The in-app central's key of verified site credentials: never in the datafile. */
  credentialKeyFile: string;
  /** The language chosen on this computer before anyone signed in (menu-language.ts). */
  languageFile: string;
}

export function appLocations(inputs: LocationInputs): AppLocations {
  const distDir = path.dirname(inputs.bundleDir);
  const rendererFolder = path.join(distDir, 'renderer');
  return {
    rendererIndex: path.join(rendererFolder, 'index.html'),
    rendererFolder,
    preload: path.join(inputs.bundleDir, 'preload.js'),
    migrationsFolder: inputs.isPackaged ? path.join(inputs.resourcesPath, packagedMigrationsFolder) : path.join(distDir, 'migrations'),
    nativeBinding: inputs.isPackaged
      ? path.join(inputs.resourcesPath, packagedNativeFolder, nativeBindingFile)
      : path.join(inputs.appPath, electronNativeFolderFor(process.platform, process.arch), nativeBindingFile),
    defaultDatafile: path.join(inputs.userDataPath, defaultDatafileName),
    hardwareIdFallbackFile: path.join(inputs.userDataPath, 'hardware-id'),
    lastServerFile: path.join(inputs.userDataPath, 'last-server.json'),
    credentialKeyFile: path.join(inputs.userDataPath, 'central-credential-key'),
    languageFile: path.join(inputs.userDataPath, 'language.json'),
  };
}

/** Says in words what is missing, instead of a bare "module did not self-register" later. */
export function missingPieces(locations: AppLocations): string[] {
  const problems: string[] = [];
  if (!fs.existsSync(locations.nativeBinding)) {
    problems.push(
      `The SQLite driver built for Electron is missing (${locations.nativeBinding}). ` +
        'Run `npm run electron:native` on a computer with internet access, or `npm start`, which runs it.',
    );
  }
  if (!fs.existsSync(path.join(locations.migrationsFolder, 'meta', '_journal.json'))) {
    problems.push(`The datafile migrations are missing (${locations.migrationsFolder}). Run \`npm run build\`.`);
  }
  if (!fs.existsSync(locations.rendererIndex) || !fs.existsSync(locations.preload)) {
    problems.push('The app has not been built. Run `npm run build`.');
  }
  return problems;
}
