/**
 * Reading what a remote site says about itself on every sync call (sync-v5.md, "Transport and
 * authentication"): HTTP Basic credentials and the msupply-site-uuid / app-name / app-version /
 * version headers. Anything missing or unreadable is refused here, before the datafile is touched.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { LEGACY_MOBILE_APP_NAME, SUPPORTED_SYNC_VERSIONS, SyncApiError, isMobileAppName, syncHeaders } from '../protocol';

export interface SyncCaller {
  siteName: string;
  /** As sent: expected to be the lowercase hex SHA-256 of the site password. */
  passwordSha256: string;
  hardwareId: string;
  appName: string;
  appVersion: string;
  syncVersion: number;
  isMobile: boolean;
}

const MAX_HEADER_VALUE = 200;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function single(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  const trimmed = text?.trim();
  return trimmed ? trimmed : undefined;
}

function requiredHeader(headers: IncomingHttpHeaders, name: string): string {
  const value = single(headers, name);
  if (value === undefined) {
    throw new SyncApiError('header_missing', `The ${name} header is missing.`, { header: name });
  }
  if (value.length > MAX_HEADER_VALUE) {
    throw new SyncApiError('header_invalid', `The ${name} header is longer than ${MAX_HEADER_VALUE} characters.`, {
      header: name,
    });
  }
  return value;
}

export function readBasicCredentials(headers: IncomingHttpHeaders): { siteName: string; passwordSha256: string } {
  const authorization = single(headers, 'authorization');
  if (authorization === undefined) throw new SyncApiError('authorisation_missing');
  const match = /^Basic\s+(\S+)$/i.exec(authorization);
  if (!match || !BASE64.test(match[1]!) || match[1]!.length % 4 !== 0) throw new SyncApiError('authorisation_invalid');
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  // The password is hex, so it never holds a colon; splitting at the last one lets site names hold colons.
  const colon = decoded.lastIndexOf(':');
  if (colon < 0 || decoded.includes('\uFFFD')) throw new SyncApiError('authorisation_invalid');
  const siteName = decoded.slice(0, colon).trim();
  const passwordSha256 = decoded.slice(colon + 1);
  if (!siteName) {
    throw new SyncApiError('authorisation_invalid', 'The authorisation of this request has no site name.');
  }
  return { siteName, passwordSha256 };
}

/** Reads the sync headers; throws {@link SyncApiError} with the header's name when one is unusable. */
export function readSyncCaller(headers: IncomingHttpHeaders): SyncCaller {
  const credentials = readBasicCredentials(headers);
  const hardwareId = requiredHeader(headers, syncHeaders.hardwareId);

  let appName: string;
  let appVersion: string;
  const legacyMobile = single(headers, syncHeaders.legacyMobileVersion);
  if (single(headers, syncHeaders.appName) === undefined && legacyMobile !== undefined) {
    appName = LEGACY_MOBILE_APP_NAME;
    appVersion = requiredHeader(headers, syncHeaders.legacyMobileVersion);
  } else {
    appName = requiredHeader(headers, syncHeaders.appName);
    appVersion = requiredHeader(headers, syncHeaders.appVersion);
  }

  const versionText = requiredHeader(headers, syncHeaders.syncVersion);
  if (!/^\d{1,9}$/.test(versionText)) {
    throw new SyncApiError('header_invalid', 'The version header must be a whole number (the sync API version).', {
      header: syncHeaders.syncVersion,
    });
  }
  const syncVersion = Number(versionText);
  const { min, max } = SUPPORTED_SYNC_VERSIONS;
  if (syncVersion < min || syncVersion > max) {
    throw new SyncApiError(
      'api_version_incompatible',
      `Sync API version ${syncVersion} is not compatible: this central server supports versions ${min} to ${max}.`,
      { min, max },
    );
  }

  return {
    ...credentials,
    hardwareId,
    appName,
    appVersion,
    syncVersion,
    isMobile: legacyMobile !== undefined || isMobileAppName(appName),
  };
}
