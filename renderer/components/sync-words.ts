/**
 * What the sync status line, the sync log and the sites list say about sync in words (the `sync`
 * namespace): the steps of a run, the statuses of sites, each kind of failure and, for each, a hint
 * of what to do about it.
 */
import type { TFunction } from 'i18next';
import { type ConnectionCheck, type SiteSyncStatus, type SyncErrorCode, syncErrorCodes } from '../../shared/contract';
import { i18n } from '../i18n';

/** The statuses that need an administrator's attention ("Only sites needing attention"). */
export const needsAttention: ReadonlySet<SiteSyncStatus> = new Set(['locked', 'failing', 'late']);

const isSyncErrorCode = (code: unknown): code is SyncErrorCode => (syncErrorCodes as readonly unknown[]).includes(code);

export function syncErrorHint(t: TFunction, code: SyncErrorCode): string {
  return t(`sync:hint.${code}`);
}

/** The hints in English, as the contract's English messages are (tests compare with them). */
export const syncErrorHints = Object.fromEntries(syncErrorCodes.map((code) => [code, i18n.t(`sync:hint.${code}`, { lng: 'en' })])) as Record<
  SyncErrorCode,
  string
>;

/**
 * A sync failure in words. English shows the sentence as it was recorded (it may carry details from
 * the central server); other languages word its kind.
 */
export function syncFailureText(t: TFunction, code: string | null | undefined, english: string): string {
  if (i18n.language === 'en' || !isSyncErrorCode(code)) return english;
  return t(`sync:error.${code}`);
}

/** A site's last error on the central server (a refused sign-in, a refused change). */
export function siteErrorText(t: TFunction, error: { code: string; message: string }): string {
  return syncFailureText(t, error.code, error.message);
}

/** The outcome of Check connection in words. */
export function connectionText(t: TFunction, check: ConnectionCheck): string {
  if (i18n.language === 'en') return check.message;
  return t(`sync:connection.${check.outcome}`, { name: check.centralSiteName ?? '' });
}
