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
  nameKey: string;
  codeKey: string;
  /** Lowercased "id code name", searched as the user types. */
  haystack: string;
}

type Comparator = (a: CachedSite, b: CachedSite) => number;

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const comparators: Record<SortColumn, Comparator> = {
  id: (a, b) => a.row.siteId - b.row.siteId,
  code: (a, b) => byString(a.codeKey, b.codeKey) || a.row.siteId - b.row.siteId,
  name: (a, b) => byString(a.nameKey, b.nameKey) || a.row.siteId - b.row.siteId,
  deviceType: (a, b) => byString(a.row.deviceType, b.row.deviceType) || byString(a.nameKey, b.nameKey) || a.row.siteId - b.row.siteId,
};

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
      .prepare('select id, code, name, name_key as nameKey, type, is_central as isCentral from site')
      .all() as { id: number; code: string; name: string; nameKey: string; type: SiteType; isCentral: number }[];
    this.sites = raw.map((r) => {
      const row: SiteRow = Object.freeze({
        siteId: r.id,
        code: r.code,
        name: r.name,
        deviceType: r.type,
        isCentral: r.isCentral === 1,
        isActive: r.id === activeId,
      });
      return { row, nameKey: r.nameKey, codeKey: r.code.toLowerCase(), haystack: `${r.id}\n${r.code}\n${r.name}`.toLowerCase() };
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
    const needle = query.search?.trim().toLowerCase() ?? '';
    const matches = needle ? ordered.filter((s) => s.haystack.includes(needle)) : ordered;
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
