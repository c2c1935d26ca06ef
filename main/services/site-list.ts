/**
 * The sites window's rows, kept in memory between changes. Reading 10,000 rows from SQLite costs
 * more than the 10 ms a filter-as-you-type list can afford, so rows are loaded once and reloaded
 * only when the datafile changed: `PRAGMA data_version` moves when another connection commits and
 * `total_changes()` when this one writes, so a change from any process is seen on the next call.
 */
import type Database from 'better-sqlite3';
import type { SiteRow, SiteType, SortColumn } from '../../shared/contract';
import { activeSiteId } from './datafile-role';

interface CachedSite {
  row: SiteRow;
  /** Folded (accents and case) name and code: what search compares. */
  nameFold: string;
  codeFold: string;
  /** Folded "id code name", searched as the user types. */
  haystack: string;
}

type Comparator = (a: CachedSite, b: CachedSite) => number;

/**
 * Search ignores case and accents: "otautahi" finds "Ōtautahi", "aker" finds "Åker". NFKD splits
 * a letter from its accents, which are then dropped.
 */
export function foldForSearch(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/** The locale's collation (numbers in codes by value), so "Åker" sorts with the A's, not after Z. */
const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });
const byText = (a: string, b: string) => collator.compare(a, b);

/** Blank device types (sites that never synced) after the known ones. */
const byDeviceType = (a: SiteType | null, b: SiteType | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : byText(a, b));

const comparators: Record<SortColumn, Comparator> = {
  id: (a, b) => a.row.siteId - b.row.siteId,
  code: (a, b) => byText(a.row.code, b.row.code) || a.row.siteId - b.row.siteId,
  name: (a, b) => byText(a.row.name, b.row.name) || a.row.siteId - b.row.siteId,
  deviceType: (a, b) => byDeviceType(a.row.deviceType, b.row.deviceType) || byText(a.row.name, b.row.name) || a.row.siteId - b.row.siteId,
};

/** 0: name or code is exactly the search; 1: starts with it; 2: a word of the name does; 3: contains it. */
function rankOf(site: CachedSite, needle: string): number {
  if (site.nameFold === needle || site.codeFold === needle || String(site.row.siteId) === needle) return 0;
  if (site.nameFold.startsWith(needle) || site.codeFold.startsWith(needle)) return 1;
  if (site.nameFold.split(/[\s\-_/,.()]+/).some((word) => word.startsWith(needle))) return 2;
  return 3;
}

export interface ListQuery {
  search?: string;
  sort?: { column: SortColumn; direction: 'asc' | 'desc' };
  /** On the central server the central server site leads the list, whatever the sort. */
  centralFirst: boolean;
}

export class SiteListCache {
  private stamp = '';
  private sites: CachedSite[] = [];
  private sorted = new Map<SortColumn, CachedSite[]>();

  constructor(private readonly sqlite: Database.Database) {}

  private currentStamp(): string {
    const dataVersion = this.sqlite.pragma('data_version', { simple: true }) as number;
    const ownChanges = (this.sqlite.prepare('select total_changes() as n').get() as { n: number }).n;
    return `${dataVersion}:${ownChanges}`;
  }

  private refresh(): void {
    const stamp = this.currentStamp();
    if (stamp === this.stamp) return;
    const activeId = activeSiteId(this.sqlite);
    const raw = this.sqlite
      .prepare(
        `select id, code, name, type, is_central as isCentral,
                (hardware_id <> '' or last_connected_at is not null or last_synced_at is not null or app_name is not null) as synced
         from site`,
      )
      .all() as { id: number; code: string; name: string; type: SiteType; isCentral: number; synced: number }[];
    this.sites = raw.map((r) => {
      const isCentral = r.isCentral === 1;
      const isActive = r.id === activeId;
      const row: SiteRow = Object.freeze({
        siteId: r.id,
        code: r.code,
        name: r.name,
        // The documentation's list shows a site's type once it has synced (this datafile's own site always).
        deviceType: r.synced === 1 || isCentral || isActive ? r.type : null,
        isCentral,
        isActive,
      });
      const nameFold = foldForSearch(r.name);
      const codeFold = foldForSearch(r.code);
      return { row, nameFold, codeFold, haystack: `${r.id}\n${codeFold}\n${nameFold}` };
    });
    this.sorted.clear();
    this.stamp = stamp;
  }

  private sortedBy(column: SortColumn): CachedSite[] {
    let list = this.sorted.get(column);
    if (!list) {
      list = [...this.sites].sort(comparators[column]);
      this.sorted.set(column, list);
    }
    return list;
  }

  list(query: ListQuery): { rows: SiteRow[]; total: number } {
    this.refresh();
    const column = query.sort?.column ?? 'name';
    let ordered = this.sortedBy(column);
    if (query.sort?.direction === 'desc') ordered = [...ordered].reverse();
    const needle = foldForSearch(query.search?.trim() ?? '');
    let matches = needle ? ordered.filter((s) => s.haystack.includes(needle)) : ordered;
    if (needle) {
      // Exact matches first, then prefixes, then the rest; each group keeps the chosen order.
      const ranks = new Map(matches.map((s) => [s, rankOf(s, needle)]));
      matches = [...matches].sort((a, b) => ranks.get(a)! - ranks.get(b)!);
    }
    const rows: SiteRow[] = [];
    if (query.centralFirst) {
      const central = matches.find((s) => s.row.isCentral);
      if (central) rows.push(central.row);
      for (const s of matches) if (!s.row.isCentral) rows.push(s.row);
    } else {
      for (const s of matches) rows.push(s.row);
    }
    return { rows, total: this.sites.length };
  }
}
