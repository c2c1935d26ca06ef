/**
 * The contract's names and enumerations, free of zod so that the renderer bundle stays small.
 * shared/contract.ts builds its schemas from these and checks at compile time that every
 * operation here has a schema and vice versa.
 */
export const operationNames = [
  'login',
  'logout',
  'whoAmI',
  'listSites',
  'getSite',
  'newSite',
  'saveSite',
  'deleteSite',
  'listAddableStores',
  'setActiveSite',
  'resetHardwareId',
  'checkConnection',
  'getRemoteSync',
  'enableSync',
  'listStockStores',
  'listStockLines',
  'saveStockLine',
  'deleteStockLine',
  'getSyncStatus',
  'syncNow',
  'reinitialiseSync',
  'setSyncInterval',
  'getCentralServer',
  'setCentralServerPort',
  'listRefusedChanges',
  'retryRefusedChanges',
  'discardRefusedChanges',
  'listUsers',
  'getUser',
  'saveUser',
  'getSiteSignInFailures',
  'clearSiteSignInFailures',
  'listUserSignInFailures',
  'clearUserSignInFailures',
  'listSyncLog',
  'listSiteSyncHealth',
  'getSiteSyncHealth',
  'setSyncThresholds',
  'setMyLanguage',
] as const;

export type OperationName = (typeof operationNames)[number];

/** The languages of the windows; en-XA is the pseudo-locale used to test translations and layouts. */
export const uiLanguages = ['en', 'fr', 'es', 'en-XA'] as const;
export type UiLanguage = (typeof uiLanguages)[number];

export const siteTypes = ['standalone', 'mobile'] as const;
export type SiteType = (typeof siteTypes)[number];

export const sortColumns = ['id', 'code', 'name', 'deviceType'] as const;
export type SortColumn = (typeof sortColumns)[number];

/** Longest values the windows and the contract accept. */
export const limits = {
  siteName: 80,
  siteCode: 40,
  sitePassword: 200,
  userName: 80,
  userPassword: 200,
  /** Shortest user password accepted (the first administrator's too). */
  userPasswordMin: 8,
  search: 200,
  storesPerSave: 100_000,
  url: 2000,
  itemCode: 40,
  itemName: 200,
  quantity: 1_000_000_000,
  syncIntervalMinutes: 24 * 60,
  /** Days before a site counts as late or failing (the sites list's attention thresholds). */
  syncThresholdDays: 365,
  /** A remote site's sync log keeps runs this many days, and at most this many runs. */
  syncLogDays: 30,
  syncLogRuns: 500,
} as const;
