/**
 * Settings the central keeps for a site that take effect on the remote site itself. Today one: "Use js
 * node HTTP client", ticked on the central in the site's Settings. The central sends it with its
 * `GET /sync/v5/site` answer (an extra field); a remote site stores it on its own site row after the
 * sites have arrived, where its sync reads it to pick Node's HTTP client over Electron's, and where
 * its Site details window shows it.
 */
import type { Datafile } from '../../db/datafile';

export interface OwnSiteSettings {
  useJsNodeHttpClient?: unknown;
}

/** Stores what the central said about this site; an answer without the field (another server) changes nothing. */
export function applyOwnSiteSettings(sqlite: Datafile['sqlite'], siteId: number, settings: OwnSiteSettings | undefined): void {
  if (typeof settings?.useJsNodeHttpClient !== 'boolean') return;
  sqlite
    .prepare('update site set use_js_node_http_client = ? where id = ? and use_js_node_http_client is not ?')
    .run(settings.useJsNodeHttpClient ? 1 : 0, siteId, settings.useJsNodeHttpClient ? 1 : 0);
}
