/**
 * The one typed API of the Synchronisation window. The renderer calls it over IPC inside Electron
 * and over HTTP in a browser; main implements it once (main/api). Every input has a zod schema here,
 * and both transports validate with it before anything reaches a service.
 */
import { z } from 'zod';
import type { AppError, Result } from './errors';
import { nameIssue, searchProblem } from './names';
import { isUnsafePort, unsafePortMessage } from './unsafe-ports';
import {
  limits,
  type OperationName,
  operationNames,
  type SiteType,
  siteTypes,
  type SortColumn,
  sortColumns,
  type UiLanguage,
  uiLanguages,
} from './operations';

const siteId = z.int('Site ID must be a whole number.').positive('Site ID must be a positive number.');
const storeId = z.int('Store ID must be a whole number.').positive('Store ID must be a positive number.');
const userId = z.int('User ID must be a whole number.').positive('User ID must be a positive number.');
const search = z
  .string()
  .max(limits.search, `Search text can be at most ${limits.search} characters.`)
  .superRefine((text, ctx) => {
    const problem = searchProblem(text);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, params: { rule: 'control_characters' } });
  });

/**
 * A site, store or user name: composed (NFC) and trimmed, at most `max` characters, with no
 * invisible or control characters and no word mixing look-alike alphabets (shared/names.ts).
 */
export function nameSchema(label: string, max: number) {
  return z
    .string()
    .normalize('NFC')
    .trim()
    .max(max, `${label} can be at most ${max} characters.`)
    .superRefine((name, ctx) => {
      const problem = nameIssue(label, name);
      if (problem) ctx.addIssue({ code: 'custom', message: problem.message, params: { rule: problem.rule, ...problem.data } });
    });
}

export { limits, operationNames, siteTypes, sortColumns, uiLanguages };
export type { OperationName, SiteType, SortColumn, UiLanguage };

/** The confirmations the core asks for before a risky change is saved. */
export const confirmationKinds = [
  'move_store_from_active_site',
  'rename_active_site',
  'change_password_of_active_site',
  'set_active_site',
  'delete_site',
  'reset_hardware_id',
  'discard_refused_changes',
  'reinitialise_sync',
] as const;
export type ConfirmationKind = (typeof confirmationKinds)[number];

export interface Confirmation {
  kind: ConfirmationKind;
  /** In English; the window words it in the person's language from `kind` and `data`. */
  message: string;
  /** The names and figures the message holds (never secrets), for the window's translation. */
  data?: Record<string, string | number | boolean>;
}

/**
 * What a stock line may hold: the Stock page's rules, applied again by the central to every line a
 * remote site pushes, so a line the Stock page would refuse never enters the central's datafile.
 */
export const stockLineFields = {
  itemCode: z.string().trim().min(1, 'Item code is required.').max(limits.itemCode, `Item code can be at most ${limits.itemCode} characters.`),
  itemName: z.string().trim().min(1, 'Item name is required.').max(limits.itemName, `Item name can be at most ${limits.itemName} characters.`),
  quantity: z
    .number('Quantity must be a number.')
    .finite('Quantity must be a number.')
    .min(0, 'Quantity cannot be negative.')
    .max(limits.quantity, `Quantity can be at most ${limits.quantity}.`),
};

export const inputs = {
  login: z.strictObject({
    userName: nameSchema('User name', limits.userName).min(1, 'User name is required.'),
    password: z.string().min(1, 'Password is required.').max(limits.userPassword),
  }),
  logout: z.strictObject({}),
  whoAmI: z.strictObject({}),
  listSites: z.strictObject({
    search: search.optional(),
    sort: z.strictObject({ column: z.enum(sortColumns), direction: z.enum(['asc', 'desc']) }).optional(),
  }),
  getSite: z.strictObject({ siteId }),
  newSite: z.strictObject({}),
  saveSite: z.strictObject({
    /** null for a new site: the ID is allocated when it is saved. */
    siteId: siteId.nullable(),
    /** A new site: the ID the window proposed. A code left at that default follows the ID actually allocated. */
    proposedSiteId: siteId.nullable().optional(),
    /** The version the draft was opened at; null for a new site. */
    expectedVersion: z.int().nonnegative().nullable(),
    code: z.string().trim().max(limits.siteCode, `Site code can be at most ${limits.siteCode} characters.`),
    name: nameSchema('Site name', limits.siteName),
    /** Absent: keep the stored password. Present: the new password (never echoed back). */
    password: z
      .string()
      .min(1, 'Password cannot be empty.')
      .max(limits.sitePassword, `Password can be at most ${limits.sitePassword} characters.`)
      .optional(),
    type: z.enum(siteTypes, 'Type must be standalone or mobile.'),
    useJsNodeHttpClient: z.boolean(),
    addStoreIds: z.array(storeId).max(limits.storesPerSave),
    removeStoreIds: z.array(storeId).max(limits.storesPerSave),
    confirmations: z.array(z.enum(confirmationKinds)).max(confirmationKinds.length),
  }),
  deleteSite: z.strictObject({ siteId, confirmed: z.boolean() }),
  listAddableStores: z.strictObject({
    /** The stores the draft holds now; they are not offered again. */
    draftStoreIds: z.array(storeId).max(limits.storesPerSave),
    search: search.optional(),
    limit: z.int().positive().max(5000).optional(),
  }),
  setActiveSite: z.strictObject({ siteId, confirmed: z.boolean() }),
  resetHardwareId: z.strictObject({ siteId, confirmed: z.boolean() }),
  /** Check connection: calls the central server with this datafile's sync settings; changes nothing. */
  checkConnection: z.strictObject({}),
  /** This datafile's remote-site sync settings (never the password or its hash). */
  getRemoteSync: z.strictObject({}),
  /** Enabling sync: makes this datafile a remote site of a central server. */
  enableSync: z.strictObject({
    centralUrl: z.string().trim().min(1, 'Central server URL is required.').max(limits.url, `The URL can be at most ${limits.url} characters.`),
    siteName: nameSchema('Site name', limits.siteName).min(1, 'Site name is required.'),
    password: z.string().min(1, 'Password is required.').max(limits.sitePassword),
  }),
  /** Stock: the stores active on this site, with their number of stock lines. */
  listStockStores: z.strictObject({}),
  listStockLines: z.strictObject({ storeId }),
  /** Adds (lineId null) or changes a stock line of a store active on this site. */
  saveStockLine: z.strictObject({
    storeId,
    lineId: z.uuid('Stock line ID is not valid.').nullable(),
    ...stockLineFields,
  }),
  deleteStockLine: z.strictObject({ lineId: z.uuid('Stock line ID is not valid.') }),
  /** The sync status line of a remote site. */
  getSyncStatus: z.strictObject({}),
  /** Re-initialise (a remote site's administrator, confirmed): fetch everything again from the central server. */
  reinitialiseSync: z.strictObject({ confirmed: z.boolean() }),
  /** Sync now: runs a sync (push, then pull) and answers with the status after it. */
  syncNow: z.strictObject({}),
  setSyncInterval: z.strictObject({
    minutes: z
      .int('The sync interval must be a whole number of minutes.')
      .min(0, 'The sync interval cannot be negative.')
      .max(limits.syncIntervalMinutes, `The sync interval can be at most ${limits.syncIntervalMinutes} minutes.`),
  }),
  /** The central server inside the desktop app (while this datafile is the central server). */
  getCentralServer: z.strictObject({}),
  /** Changes the central server refused (their store left this site), kept for an administrator. */
  listRefusedChanges: z.strictObject({}),
  retryRefusedChanges: z.strictObject({ ids: z.array(z.int().positive()).min(1, 'Choose at least one change.').max(10_000) }),
  discardRefusedChanges: z.strictObject({ ids: z.array(z.int().positive()).min(1, 'Choose at least one change.').max(10_000) }),
  /** The Users window: administrators only (the Admin permission, which is "edit sync settings"). */
  listUsers: z.strictObject({}),
  getUser: z.strictObject({ userId }),
  /** New (userId null) or Edit user: user name, password (required for a new user), Admin permission, disabled. */
  saveUser: z.strictObject({
    userId: userId.nullable(),
    name: nameSchema('User name', limits.userName).min(1, 'User name is required.'),
    /** Absent: keep the password. Present: the new password (never echoed back). */
    password: z
      .string()
      .min(limits.userPasswordMin, `The password must be at least ${limits.userPasswordMin} characters.`)
      .max(limits.userPassword, `The password can be at most ${limits.userPassword} characters.`)
      .optional(),
    admin: z.boolean(),
    disabled: z.boolean(),
  }),
  /** Recent failed sign-ins of a site on this central server (in memory: a restart forgets them). */
  getSiteSignInFailures: z.strictObject({ siteId }),
  /** An administrator clears a site's failed sign-ins, lifting any lock on it. */
  clearSiteSignInFailures: z.strictObject({ siteId }),
  /** Users (user names as typed at login, known or not) with recent failed logins. */
  listUserSignInFailures: z.strictObject({}),
  clearUserSignInFailures: z.strictObject({
    userName: z.string().trim().min(1, 'User name is required.').max(limits.userName),
  }),
  /** A remote site's sync log: its runs, newest first. */
  listSyncLog: z.strictObject({}),
  /** The central server: how every site's sync is doing (the sites list's sync columns). */
  listSiteSyncHealth: z.strictObject({}),
  getSiteSyncHealth: z.strictObject({ siteId }),
  /** When a site counts as late, and as failing: days since its last successful sync. */
  setSyncThresholds: z
    .strictObject({
      lateAfterDays: z
        .number('Late after must be a number of days.')
        .positive('Late after must be more than 0 days.')
        .max(limits.syncThresholdDays, `Late after can be at most ${limits.syncThresholdDays} days.`),
      failingAfterDays: z
        .number('Failing after must be a number of days.')
        .positive('Failing after must be more than 0 days.')
        .max(limits.syncThresholdDays, `Failing after can be at most ${limits.syncThresholdDays} days.`),
    })
    .refine((t) => t.failingAfterDays >= t.lateAfterDays, {
      message: 'Failing after must be at least as many days as late after.',
      path: ['failingAfterDays'],
    }),
  /** The logged-in user's language for the windows, remembered in the datafile. */
  setMyLanguage: z.strictObject({
    language: z.enum(uiLanguages, 'Choose one of the languages offered.'),
  }),
  setCentralServerPort: z.strictObject({
    port: z
      .int('The port must be a whole number.')
      .min(1, 'The port must be from 1 to 65535.')
      .max(65535, 'The port must be from 1 to 65535.')
      // Remote sites using the app's own (Electron) HTTP client could never reach it there.
      .superRefine((port, ctx) => {
        if (isUnsafePort(port)) ctx.addIssue({ code: 'custom', message: unsafePortMessage(port), params: { rule: 'unsafe_port', port } });
      }),
  }),
} as const;

export type Inputs = { [K in keyof typeof inputs]: z.input<(typeof inputs)[K]> };
export type ParsedInputs = { [K in keyof typeof inputs]: z.output<(typeof inputs)[K]> };

export interface Permissions {
  editSyncSettings: boolean;
}

export interface WhoAmI {
  /** `language`: the user's chosen language for the windows; null until they choose one. */
  user: { id: number; name: string; language: UiLanguage | null } | null;
  permissions: Permissions;
  datafile: {
    activeSiteId: number;
    activeSiteName: string;
    /** True when the active site is the central server site: this datafile is the central server. */
    isCentralServer: boolean;
    /** True on a remote site's datafile (after its first sync): sites are edited on the central server only. */
    isRemoteSite: boolean;
    /**
     * True while a first sync cut short has taken some of the central's sites and stores but not
     * yet made this datafile the remote site (then isRemoteSite too, and activeSiteName is the site
     * it is becoming): nothing is edited here until it has finished.
     */
    firstSyncUnderway: boolean;
    /** The central server site's name, as this datafile knows it. */
    centralServerName: string;
  };
}

export interface UserRow {
  userId: number;
  name: string;
  /** The Admin permission (Edit user > Permissions > Admin): may edit sync settings and users. */
  admin: boolean;
  disabled: boolean;
  /** The user asking. */
  isYou: boolean;
}

export interface UserDetails extends UserRow {
  createdAt: string;
}

export interface SiteRow {
  siteId: number;
  code: string;
  name: string;
  /** Blank (null) until the site has synced: the type is what the syncing app reports. */
  deviceType: SiteType | null;
  isCentral: boolean;
  isActive: boolean;
}

export interface StoreRow {
  storeId: number;
  code: string;
  name: string;
  siteId: number;
  siteName: string;
}

export interface SiteDetails {
  siteId: number;
  /** A new site's proposed ID; allocated for real when saved. */
  isNew: boolean;
  version: number;
  code: string;
  name: string;
  hasPassword: boolean;
  hardwareId: string;
  type: SiteType;
  useJsNodeHttpClient: boolean;
  isCentral: boolean;
  isActiveOnThisDatafile: boolean;
  /** Has a hardware ID or has synced: renames, password changes and store moves need confirming. */
  inActiveUse: boolean;
  lastConnectedAt: string | null;
  appName: string | null;
  appVersion: string | null;
  stores: StoreRow[];
}

export type SaveSiteResult =
  { status: 'saved'; site: SiteDetails; queuedRecords: number } | { status: 'needs_confirmation'; confirmations: Confirmation[] };

export type ConfirmableResult<T> = ({ status: 'done' } & T) | { status: 'needs_confirmation'; confirmations: Confirmation[] };

export interface Outputs {
  login: WhoAmI;
  logout: WhoAmI;
  whoAmI: WhoAmI;
  listSites: { rows: SiteRow[]; total: number };
  getSite: SiteDetails;
  newSite: SiteDetails;
  saveSite: SaveSiteResult;
  deleteSite: ConfirmableResult<{ siteId: number }>;
  listAddableStores: { rows: StoreRow[]; total: number };
  setActiveSite: ConfirmableResult<{ site: SiteDetails }>;
  resetHardwareId: ConfirmableResult<{ site: SiteDetails }>;
  reinitialiseSync: ConfirmableResult<{ sync: SyncStatus }>;
  checkConnection: ConnectionCheck;
  getRemoteSync: RemoteSyncView;
  enableSync: RemoteSyncView;
  listStockStores: { stores: StockStore[] };
  listStockLines: { store: StockStore; lines: StockLine[] };
  saveStockLine: StockLine;
  deleteStockLine: { lineId: string };
  getSyncStatus: SyncStatus;
  syncNow: SyncStatus;
  setSyncInterval: SyncStatus;
  getCentralServer: CentralServerView;
  setCentralServerPort: CentralServerView;
  listRefusedChanges: { rows: RefusedChange[]; total: number };
  retryRefusedChanges: { count: number };
  discardRefusedChanges: { count: number };
  listUsers: { rows: UserRow[] };
  getUser: UserDetails;
  saveUser: UserDetails;
  getSiteSignInFailures: SignInFailures;
  clearSiteSignInFailures: SignInFailures;
  listUserSignInFailures: { rows: UserSignInFailures[] };
  clearUserSignInFailures: { rows: UserSignInFailures[] };
  listSyncLog: { rows: SyncLogEntry[] };
  listSiteSyncHealth: { rows: SiteSyncHealth[]; thresholds: SyncThresholds };
  getSiteSyncHealth: SiteSyncHealth;
  setSyncThresholds: SyncThresholds;
  setMyLanguage: WhoAmI;
}

/** One run of a remote site's sync, as its sync log shows it. */
export interface SyncLogEntry {
  id: number;
  startedAt: string;
  /** null while it runs, and for a run cut short (the program stopped during it). */
  endedAt: string | null;
  outcome: 'running' | 'success' | 'failed' | 'interrupted';
  /** Records sent to the central server, and received from it (sites, stores and store data). */
  pushed: number;
  pulled: number;
  error: string | null;
  errorCode: SyncErrorCode | null;
}

/** How a site's sync is doing, as the central server sees it (worst first: locked, failing, late). */
export const siteSyncStatuses = ['locked', 'failing', 'late', 'never_synced', 'ok'] as const;
export type SiteSyncStatus = (typeof siteSyncStatuses)[number];

export interface SyncThresholds {
  /** A site whose last successful sync is older than this is late (default 1 day). */
  lateAfterDays: number;
  /** ... and failing after this (default 3 days). */
  failingAfterDays: number;
}

export interface SiteSyncHealth {
  siteId: number;
  /** null for the central server site itself: it does not sync with itself. */
  status: SiteSyncStatus | null;
  lastConnectedAt: string | null;
  /** The end of its last complete sync (its queue emptied). */
  lastSyncedAt: string | null;
  /** Records waiting on the central server for the site. */
  queued: number;
  /** Records the site sent that the central has not integrated yet. */
  buffered: number;
  /** Of the site's recent changes, those the central refused. */
  refused: number;
  appName: string | null;
  appVersion: string | null;
  /** The last thing that went wrong for the site (a refused sign-in, a refused change), since it last synced. */
  lastError: { code: string; message: string; at: string } | null;
  /** Sign-ins of the site are refused from some address until then (too many failed attempts). */
  lockedUntil: string | null;
}

/** What can go wrong when a remote site reaches the central: Check connection's failures, and a sync's first ones. */
const connectionFailures = [
  'site_name_not_found',
  'site_incorrect_password',
  'site_incorrect_hardware_id',
  'site_has_no_store',
  'api_version_incompatible',
  'site_mismatch',
  'unable_to_connect',
  'invalid_url',
  'certificate_not_trusted',
  'timed_out',
  'too_many_attempts',
  'server_error',
] as const;

/** Kinds of sync failure: the status line and the sync log say what to do about each. */
export const syncErrorCodes = [...connectionFailures, 'central_busy', 'sync_is_running', 'stopped', 'unexpected'] as const;
export type SyncErrorCode = (typeof syncErrorCodes)[number];

/** Recent failed sign-ins of one site or user, from every address and device. */
export interface SignInFailures {
  /** Failed attempts in the last 15 minutes. */
  failures: number;
  lastAddress: string | null;
  /** ISO time of the last failed attempt. */
  lastFailureAt: string | null;
  /** ISO time until which sign-ins of this name are refused from some address; null when none is. */
  lockedUntil: string | null;
}

export interface UserSignInFailures extends SignInFailures {
  /** The user name as it is matched at login (lowercase); it may be a name no user has. */
  userName: string;
}

export interface StockStore {
  storeId: number;
  code: string;
  name: string;
  lineCount: number;
}

export interface StockLine {
  lineId: string;
  storeId: number;
  itemCode: string;
  itemName: string;
  quantity: number;
  updatedAt: string;
}

export const syncPhases = ['connecting', 'pushing', 'integrating', 'initialising', 'pulling_central', 'pulling'] as const;
export type SyncPhase = (typeof syncPhases)[number];

/** The steps of a run as the status line shows them, in the order a run takes them. */
export const syncSteps = ['push', 'integrate', 'pull_central', 'pull_queue'] as const;
export type SyncStep = (typeof syncSteps)[number];

export interface SyncStepProgress {
  step: SyncStep;
  state: 'waiting' | 'running' | 'done';
  /** Records done of the total (0 of 0 when there was nothing to do, or the total is not known yet). */
  done: number;
  total: number;
}

/** What the sync status line shows. Counts are records; messages are in words. */
export interface RefusedChange {
  id: number;
  storeId: number;
  storeName: string;
  recordId: string;
  action: 'insert' | 'update' | 'delete';
  itemCode: string | null;
  itemName: string | null;
  refusedAt: string;
  refusedMessage: string;
}

export interface CentralServerView {
  /** This app runs a central server for remote sites (the desktop app on a central datafile). */
  available: boolean;
  running: boolean;
  /** The port remote sites use (the central_server_port setting, default 2048). */
  port: number;
  url: string | null;
  /** Why it is not running, in words. */
  problem: string | null;
}

/** What a running (or stopped) in-app central server says of itself: the view without `available`. */
export type CentralServerStatus = Omit<CentralServerView, 'available'>;

export interface SyncStatus {
  /** False until Enabling sync has pointed this datafile at a central server. */
  configured: boolean;
  isCentralServer: boolean;
  /** Enabling sync is possible: this datafile is a remote site, or new (no stores, only its own site). */
  canEnableSync: boolean;
  /** True once the first complete sync (initialisation) has finished. */
  initialised: boolean;
  running: boolean;
  /** While a run is going: what it is doing and how far it got (total 0 when not known yet). */
  progress: { phase: SyncPhase; message: string; done: number; total: number; steps: SyncStepProgress[] } | null;
  lastSuccessAt: string | null;
  /** When the last run started, whatever its outcome. */
  lastAttemptAt: string | null;
  lastError: string | null;
  /** The kind of the last failure, for the hint of what to do; null after a successful run. */
  lastErrorCode: SyncErrorCode | null;
  /** Changes made here waiting to go to the central server (refused ones not included). */
  waitingOut: number;
  /** Records the central server had waiting for this site at the last look; null when not known. */
  waitingIn: number | null;
  /** Changes the central server refused (their store is no longer on this site); kept here. */
  refused: number;
  refusedMessage: string | null;
  /** Minutes between automatic syncs; 0 means paused. */
  intervalMinutes: number;
  nextRunAt: string | null;
}

/** The outcomes of Check connection, each shown to the person in words (`message`). */
export const connectionOutcomes = ['connected', ...connectionFailures] as const;
export type ConnectionOutcome = (typeof connectionOutcomes)[number];

export interface ConnectionCheck {
  outcome: ConnectionOutcome;
  /** E.g. "Connection successful: the central server knows this site as Waikato." */
  message: string;
  /** The central's name for this site, when connected. */
  centralSiteName?: string;
}

export interface RemoteSyncView {
  configured: boolean;
  centralUrl: string | null;
  siteName: string | null;
  /** The hardware ID this machine sends (msupply-site-uuid). */
  hardwareId: string;
}

// Compile-time check: the zod-free list of operations and the schemas name the same operations.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const operationsMatchSchemas: Same<OperationName, keyof typeof inputs> = true;
void operationsMatchSchemas;

/** The API as the renderer sees it, whatever the transport. */
export type SyncSitesApi = {
  [K in OperationName]: (input: Inputs[K]) => Promise<Result<Outputs[K]>>;
};

export type { AppError, Result };
