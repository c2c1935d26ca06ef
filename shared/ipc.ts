/**
 * Every IPC channel between Electron main and the preload. Both sides import this file, so a channel
 * cannot exist on one side only, and the operation channels are derived from the contract: adding an
 * operation to shared/contract.ts adds its channel, its preload method and its main handler.
 */
import { z } from 'zod';
import type { MenuCommand } from './bridge';
import { type OperationName, limits, nameSchema, operationNames, uiLanguages } from './contract';

const PREFIX = 'sync-sites';

export type OperationChannel = `${typeof PREFIX}:op:${OperationName}`;

export function operationChannel(operation: OperationName): OperationChannel {
  return `${PREFIX}:op:${operation}`;
}

export const operationChannels: readonly { operation: OperationName; channel: OperationChannel }[] = operationNames.map((operation) => ({
  operation,
  channel: operationChannel(operation),
}));

/** The desktop-only commands of shared/bridge.ts (`DesktopCommands`). */
export const desktopChannels = {
  /** renderer -> main (invoke): which datafile is open and whether it needs its first administrator. */
  datafileStatus: `${PREFIX}:desktop:datafile-status`,
  /** renderer -> main (invoke): sets up the pending new datafile. */
  setUpDatafile: `${PREFIX}:desktop:set-up-datafile`,
  /** renderer -> main (invoke): work against a server instead of a local datafile. */
  connectToServer: `${PREFIX}:desktop:connect-to-server`,
  /** renderer -> main (invoke): the server URL last connected to, to offer again. */
  lastServerUrl: `${PREFIX}:desktop:last-server-url`,
  /** main -> renderer (send): an application-menu command such as 'show-sites'. */
  menuCommand: `${PREFIX}:desktop:menu-command`,
  /** renderer -> main (invoke): the language chosen before anyone signed in, for this computer and the menu. */
  setDeviceLanguage: `${PREFIX}:desktop:set-device-language`,
  /** main -> renderer (send): a language chosen in the Language menu, for the window to show at once. */
  languageChosen: `${PREFIX}:desktop:language-chosen`,
} as const;

/** Every channel the renderer may invoke; main registers exactly these. */
export const invokeChannels: readonly string[] = [
  ...operationChannels.map((c) => c.channel),
  desktopChannels.datafileStatus,
  desktopChannels.setUpDatafile,
  desktopChannels.connectToServer,
  desktopChannels.lastServerUrl,
  desktopChannels.setDeviceLanguage,
];

export const menuCommands = ['show-sites', 'show-users', 'show-navigator', 'connect-to-server'] as const satisfies readonly MenuCommand[];

export function isMenuCommand(value: unknown): value is MenuCommand {
  return typeof value === 'string' && (menuCommands as readonly string[]).includes(value);
}

export const MIN_ADMIN_PASSWORD_LENGTH = 8;

/** The first administrator of a new datafile (DesktopCommands.setUpDatafile). */
export const setUpDatafileInput = z.strictObject({
  userName: nameSchema('User name', limits.userName).min(1, 'User name is required.'),
  password: z
    .string()
    .min(MIN_ADMIN_PASSWORD_LENGTH, `The administrator password must be at least ${MIN_ADMIN_PASSWORD_LENGTH} characters.`)
    .max(limits.userPassword, `The password can be at most ${limits.userPassword} characters.`),
  demo: z.boolean(),
});

/** DesktopCommands.connectToServer. The URL's scheme and form are checked by main/http/api-client.ts. */
export const connectToServerInput = z.strictObject({
  url: z
    .string()
    .trim()
    .min(1, 'Enter the address of the server, for example http://server:2048.')
    .max(limits.url, `The address can be at most ${limits.url} characters.`),
});

/** DesktopCommands.setDeviceLanguage. */
export const setDeviceLanguageInput = z.strictObject({
  language: z.enum(uiLanguages, 'Choose one of the languages offered.'),
});
