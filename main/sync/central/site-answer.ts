/**
 * The answer of `GET /sync/v5/site` (sync-v5.md): the site the call authenticated as, its settings
 * and its stores. A remote site asks for it at the start of every sync, so the answer is kept as
 * JSON text per site (and per device type, which the answer echoes) while the datafile has not
 * changed, and sent as it is: no store query and no serialisation on a busy site's calls.
 *
 * Kept only under the generation its site row was read in (datafile-changes.ts): a rename, a store
 * moved to or from the site, a changed setting, from this process or another, gives the next call a
 * new generation, and the answer is built again from the datafile.
 */
import type { Datafile } from '../../../db/datafile';
import type { SiteInfo } from '../protocol';
import type { DatafileChanges } from './datafile-changes';
import type { AuthenticatedSite } from './site-authenticator';

export class SiteAnswers {
  private readonly storesOfSite;
  private readonly useJsNodeHttpClientOf;
  /** By site id, negative for a mobile caller's answer; all of one generation. */
  private readonly answers = new Map<number, string>();
  private generation = -1;

  constructor(
    sqlite: Datafile['sqlite'],
    private readonly changes: DatafileChanges,
  ) {
    this.storesOfSite = sqlite.prepare('select uuid as id, code, name from store where site_id = ? order by code collate nocase, id');
    this.useJsNodeHttpClientOf = sqlite.prepare('select use_js_node_http_client from site where id = ?').pluck();
  }

  /** The answer's JSON text for the site the call authenticated as. */
  json(site: AuthenticatedSite): string {
    // The generation as the call's own authentication read it: if a later call has since seen a
    // change, this call's site row is older than the datafile, and its answer is built but not kept.
    const generation = this.changes.lastRead;
    if (site.generation !== generation) return this.build(site);
    if (generation !== this.generation) {
      this.answers.clear();
      this.generation = generation;
    }
    const key = site.type === 'mobile' ? -site.id : site.id;
    let json = this.answers.get(key);
    if (json === undefined) {
      json = this.build(site);
      this.answers.set(key, json);
    }
    return json;
  }

  private build(site: AuthenticatedSite): string {
    const answer: SiteInfo = {
      id: site.uuid,
      siteId: site.id,
      code: site.code,
      name: site.name,
      initialisationStatus: site.initialisationStatus,
      type: site.type,
      useJsNodeHttpClient: this.useJsNodeHttpClientOf.get(site.id) === 1,
      stores: this.storesOfSite.all(site.id) as SiteInfo['stores'],
    };
    return JSON.stringify(answer);
  }
}
