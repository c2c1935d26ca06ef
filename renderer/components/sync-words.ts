/**
 * What the sync status line, the sync log and the sites list say about sync in words: the steps of
 * a run, the statuses of sites, and for each kind of failure a hint of what to do about it.
 */
import type { SiteSyncStatus, SyncErrorCode, SyncStep } from '../../shared/contract';

export const stepNames: Record<SyncStep, string> = {
  push: 'Push changes',
  integrate: 'Central integrates them',
  pull_central: 'Pull central data',
  pull_queue: 'Pull this site’s queue',
};

export const siteStatusNames: Record<SiteSyncStatus, string> = {
  locked: 'locked',
  failing: 'failing',
  late: 'late',
  never_synced: 'never synced',
  ok: 'ok',
};

/** The statuses that need an administrator's attention ("Only sites needing attention"). */
export const needsAttention: ReadonlySet<SiteSyncStatus> = new Set(['locked', 'failing', 'late']);

export const syncErrorHints: Record<SyncErrorCode, string> = {
  site_name_not_found:
    'Check the site name under Enabling sync: it must be the name of a site on the central server (ask its administrator).',
  site_incorrect_password:
    'Type the site password again under Enabling sync. If it was changed on the central server, ask its administrator for the new one.',
  site_incorrect_hardware_id:
    'This site is bound to another machine. If this machine replaces it, ask the central server’s administrator to reset the hardware ID of the site.',
  site_has_no_store: 'Ask the central server’s administrator to add this site’s stores to it.',
  api_version_incompatible: 'This program and the central server need versions that work together: update the older one.',
  site_mismatch:
    'The central server now knows this site as another site. Check the URL and site name under Enabling sync with the central server’s administrator.',
  unable_to_connect:
    'Check the central server URL under Enabling sync, that this machine is online, and that the central server is running. Nothing is lost: changes wait here.',
  invalid_url: 'Check the central server URL under Enabling sync, e.g. https://central.example.org:2048.',
  certificate_not_trusted:
    'The central server’s certificate is not trusted by this machine. Ask its administrator which certificate it uses, or check the URL.',
  timed_out: 'The network or the central server is slow. Sync tries again at the next interval; if it keeps happening, check the network.',
  too_many_attempts:
    'Too many sign-ins failed. Wait, then check the password; the central server’s administrator can clear the failed sign-ins.',
  server_error: 'The central server had a problem. Sync tries again at the next interval; if it keeps failing, tell its administrator.',
  central_busy: 'The central server is busy with this site. Nothing to do: sync tries again at the next interval.',
  sync_is_running: 'Another sync of this site is running (another device or datafile). Wait for it, or find the other device.',
  stopped: 'The program was closed during the sync. It carries on at the next sync.',
  unexpected: 'Sync tries again at the next interval. If it keeps failing, tell the central server’s administrator what it says.',
};
