/** Rules of a site's stores that need only the datafile, kept apart from the save's bookkeeping. */
import { AppFailure } from '../../shared/errors';
import type { Datafile } from '../../db/datafile';

/**
 * A mobile site runs mSupply Mobile, which holds one store: the central refuses to sync a mobile
 * site with more (mobile_site_has_multiple_stores), so a save that would give it a second store is
 * refused here, before it can stop the site syncing.
 */
export function requireOneStoreForMobile(sqlite: Datafile['sqlite'], siteId: number | null, adding: number, removing: number): void {
  const current = siteId === null ? 0 : (sqlite.prepare('select count(*) from store where site_id = ?').pluck().get(siteId) as number);
  const after = current + adding - removing;
  if (after > 1) {
    throw new AppFailure(
      'mobile_site_one_store',
      `A mobile site has one store (mSupply Mobile runs a single store); this save would give it ${after}. ` +
        'Remove stores until one is left, or make the site standalone.',
      { storeCount: after },
    );
  }
}
