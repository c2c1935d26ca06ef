/**
 * The sites list (Special > Synchronisation): New, Delete, search, and the table of sites. The
 * server searches and sorts (it keeps the central server site first), so the window only asks.
 * On the central server the list also shows how each site's sync is doing (status, last sync, last
 * connection, records queued, buffered and refused, app): those columns are sorted here, and
 * "Only sites needing attention" keeps the sites that are late, failing or locked.
 */
import type { TFunction } from 'i18next';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SiteDetails, SiteRow, SiteSyncHealth, SortColumn, SyncThresholds } from '../../shared/contract';
import { sortColumns } from '../../shared/operations';
import type { AppError } from '../../shared/errors';
import { useApi } from '../api/api-context';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { DataTable, type Column, type TableSort } from '../components/DataTable';
import { ErrorLine } from '../components/ErrorLine';
import { SearchBox } from '../components/SearchBox';
import { SyncThresholdsForm } from '../components/SyncThresholdsForm';
import { needsAttention, siteErrorText } from '../components/sync-words';
import { ago, dateTime, number as formatNumber } from '../i18n/format';
import { SiteDetailsDialog } from '../dialogs/SiteDetailsDialog';
import { useConfirm } from '../hooks/use-confirm';
import { useDebouncedValue } from '../hooks/use-debounced-value';
import type { SiteTarget } from '../hooks/use-site-draft';
import { useSession } from '../session/session-context';

/** A row of the list: the site, and on the central server how its sync is doing. */
type ListRow = SiteRow & { sync?: SiteSyncHealth };

function siteColumns(t: TFunction): Column<ListRow>[] {
  return [
    { key: 'id', header: t('sites:column.id'), cell: (r) => r.siteId, width: '5rem' },
    { key: 'code', header: t('sites:column.code'), cell: (r) => r.code, width: '9rem' },
    {
      key: 'name',
      header: t('sites:column.name'),
      cell: (r) => (
        <>
          {r.name}
          {r.isActive ? <span className="tag">{t('sites:tag.active')}</span> : null}
        </>
      ),
      width: '3fr',
    },
    { key: 'deviceType', header: t('sites:column.device-type'), cell: (r) => (r.deviceType ? t(`sites:type.${r.deviceType}`) : ''), width: '9rem' },
  ];
}

function When(props: { iso: string | null | undefined }) {
  return props.iso ? <span title={dateTime(props.iso)}>{ago(props.iso)}</span> : null;
}

const count = (r: ListRow, n: number | undefined) => (r.sync && !r.isCentral && n !== undefined ? formatNumber(n) : '');

export function SyncBadge(props: { sync: SiteSyncHealth | undefined }) {
  const { t } = useTranslation();
  const status = props.sync?.status;
  if (!status) return null;
  const name = t(`sync:status.${status}`);
  // The whole status in the tooltip too: in a narrow column a long word may end in an ellipsis.
  const reason = props.sync?.lastError ? siteErrorText(t, props.sync.lastError) : name;
  return (
    <span className={`sync-badge ${status}`} title={reason}>
      {t(`sync:status.${status}`)}
    </span>
  );
}

/** On the central server: narrower site columns, then how each site's sync is doing. */
function columnsWithSync(t: TFunction): Column<ListRow>[] {
  const [id, code, name, deviceType] = siteColumns(t);
  return [
    { ...id!, width: '3.2rem' },
    // Narrow columns: the languages may name them more briefly here ("Código" for "Código del sitio").
    { ...code!, header: t('sites:column.code-narrow'), width: '4.6rem' },
    { ...name!, width: '1fr' },
    { ...deviceType!, header: t('sites:column.device-type-narrow'), width: '7rem' },
    { key: 'syncStatus', header: t('sites:column.sync-status'), cell: (r) => <SyncBadge sync={r.sync} />, width: '9rem' },
    { key: 'lastSyncedAt', header: t('sites:column.last-sync'), cell: (r) => <When iso={r.sync?.lastSyncedAt} />, width: '6.4rem' },
    { key: 'lastConnectedAt', header: t('sites:column.connected'), cell: (r) => <When iso={r.sync?.lastConnectedAt} />, width: '6.4rem' },
    { key: 'queued', header: t('sites:column.queued'), cell: (r) => count(r, r.sync?.queued), width: '5.4rem' },
    { key: 'buffered', header: t('sites:column.buffered'), cell: (r) => count(r, r.sync?.buffered), width: '5.6rem' },
    { key: 'refused', header: t('sites:column.refused'), cell: (r) => count(r, r.sync?.refused), width: '6rem' },
    {
      // The version at a glance (an old app stands out); the app's name is in the tooltip and the site window.
      key: 'app',
      header: t('sites:column.app-version'),
      cell: (r) => (r.sync?.appName ? <span title={`${r.sync.appName} ${r.sync.appVersion ?? ''}`.trim()}>{r.sync.appVersion}</span> : null),
      width: '6.4rem',
    },
  ];
}

/** Worst first: the order of siteSyncStatuses (locked, failing, late, never synced, ok). */
const statusRank = (r: ListRow) => (r.sync?.status ? ['locked', 'failing', 'late', 'never_synced', 'ok'].indexOf(r.sync.status) : 9);
const timeRank = (iso: string | null | undefined) => (iso ? Date.parse(iso) : -Infinity);
const syncComparators: Record<string, (a: ListRow, b: ListRow) => number> = {
  syncStatus: (a, b) => statusRank(a) - statusRank(b),
  lastSyncedAt: (a, b) => timeRank(a.sync?.lastSyncedAt) - timeRank(b.sync?.lastSyncedAt),
  lastConnectedAt: (a, b) => timeRank(a.sync?.lastConnectedAt) - timeRank(b.sync?.lastConnectedAt),
  queued: (a, b) => (a.sync?.queued ?? -1) - (b.sync?.queued ?? -1),
  buffered: (a, b) => (a.sync?.buffered ?? -1) - (b.sync?.buffered ?? -1),
  refused: (a, b) => (a.sync?.refused ?? -1) - (b.sync?.refused ?? -1),
  app: (a, b) => `${a.sync?.appName ?? ''} ${a.sync?.appVersion ?? ''}`.localeCompare(`${b.sync?.appName ?? ''} ${b.sync?.appVersion ?? ''}`),
};

const isServerSort = (column: string): column is SortColumn => (sortColumns as readonly string[]).includes(column);

export const searchDelayMs = 150;
/** How often a shown sites window looks again for changes saved by other administrators. */
export const liveRefreshMs = 5000;

export function SitesWindow(props: { onClose: () => void }) {
  const api = useApi();
  const session = useSession();
  const { t } = useTranslation();
  const { request, ask, answer } = useConfirm();
  const [search, setSearch] = useState('');
  const debouncedSearch = useDebouncedValue(search.trim(), searchDelayMs);
  const [sort, setSort] = useState<TableSort | null>(null);
  const [list, setList] = useState<{ rows: SiteRow[]; total: number } | null>(null);
  const showSync = session.whoAmI.datafile.isCentralServer;
  const [health, setHealth] = useState<{ rows: SiteSyncHealth[]; thresholds: SyncThresholds } | null>(null);
  const [attentionOnly, setAttentionOnly] = useState(false);
  const [selected, setSelected] = useState<number | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [refreshes, setRefreshes] = useState(0);
  const [details, setDetails] = useState<{ target: SiteTarget; opening: number } | null>(null);
  const openings = useRef(0);
  const grid = useRef<HTMLDivElement | null>(null);

  const refresh = useCallback(() => setRefreshes((n) => n + 1), []);

  // Other administrators may save changes meanwhile (client/server installs): look again when the
  // window regains focus, and every few seconds while it is shown.
  useEffect(() => {
    const whenShown = () => {
      if (document.visibilityState === 'visible') refresh();
    };
    window.addEventListener('focus', refresh);
    document.addEventListener('visibilitychange', whenShown);
    const timer = window.setInterval(whenShown, liveRefreshMs);
    return () => {
      window.removeEventListener('focus', refresh);
      document.removeEventListener('visibilitychange', whenShown);
      window.clearInterval(timer);
    };
  }, [refresh]);

  useEffect(() => {
    let current = true;
    const query = {
      ...(debouncedSearch ? { search: debouncedSearch } : {}),
      ...(sort && isServerSort(sort.column) ? { sort: { column: sort.column, direction: sort.direction } } : {}),
    };
    void api.listSites(query).then((result) => {
      if (!current) return;
      // A message stays until the next action or until it is dismissed: a refresh never wipes it.
      if (result.ok) setList(result.value);
      else setError(result.error);
    });
    if (showSync) {
      void api.listSiteSyncHealth({}).then((result) => {
        if (!current) return;
        if (result.ok) setHealth(result.value);
        else setError(result.error);
      });
    }
    return () => {
      current = false;
    };
  }, [api, debouncedSearch, sort, refreshes, showSync]);

  // Opening the window puts the focus on the list with a row selected, so Enter opens it at once.
  const focused = useRef(false);
  useEffect(() => {
    if (!list || focused.current) return;
    focused.current = true;
    setSelected((current) => current ?? list.rows[0]?.siteId ?? null);
    grid.current?.focus();
  }, [list]);

  const open = (target: SiteTarget) => {
    setError(null);
    openings.current += 1;
    setDetails({ target, opening: openings.current });
  };

  const onSort = (column: string) =>
    setSort((s) => (s?.column === column ? { column, direction: s.direction === 'asc' ? 'desc' : 'asc' } : { column, direction: 'asc' }));

  const deleteSelected = async () => {
    if (selected === null) return;
    setError(null);
    const siteId = selected;
    const first = await api.deleteSite({ siteId, confirmed: false });
    if (!first.ok) return setError(first.error);
    if (first.value.status === 'needs_confirmation') {
      if (!(await ask(first.value.confirmations, t('button.delete')))) return;
      const second = await api.deleteSite({ siteId, confirmed: true });
      if (!second.ok) return setError(second.error);
    }
    setError(null);
    setSelected(null);
    refresh();
  };

  const onSaved = (site: SiteDetails) => {
    setSelected(site.siteId);
    setDetails(null);
    refresh();
  };

  /** OK & Next: the site after this one in the list as it stands; a new site is followed by another new one. */
  const onSavedNext = (site: SiteDetails, wasNew: boolean) => {
    refresh();
    if (wasNew) return open({ kind: 'new' });
    const rows = list?.rows ?? [];
    const index = rows.findIndex((r) => r.siteId === site.siteId);
    const next = index >= 0 ? rows[index + 1] : undefined;
    if (!next) {
      setSelected(site.siteId);
      setDetails(null);
      return;
    }
    setSelected(next.siteId);
    open({ kind: 'existing', siteId: next.siteId });
  };

  const rows = useMemo((): ListRow[] => {
    const sites = list?.rows ?? [];
    if (!showSync || !health) return sites;
    const bySite = new Map(health.rows.map((h) => [h.siteId, h]));
    let joined: ListRow[] = sites.map((site) => ({ ...site, sync: bySite.get(site.siteId) }));
    if (attentionOnly) joined = joined.filter((r) => r.sync?.status && needsAttention.has(r.sync.status));
    const compare = sort ? syncComparators[sort.column] : undefined;
    if (sort && compare) {
      const sign = sort.direction === 'asc' ? 1 : -1;
      // Stable: equal sync values keep the server's order (by name).
      // The central server site stays first, as with every other sort.
      joined = joined
        .map((row, index) => ({ row, index }))
        .sort((a, b) => Number(b.row.isCentral) - Number(a.row.isCentral) || sign * compare(a.row, b.row) || a.index - b.index)
        .map((x) => x.row);
    }
    return joined;
  }, [list, health, showSync, attentionOnly, sort]);
  const selectedRow = rows.find((r) => r.siteId === selected);

  return (
    <section className="window" aria-labelledby="sites-window-title">
      <header className="window-title-bar">
        <h2 id="sites-window-title">{t('sites:title')}</h2>
        <button type="button" className="button" onClick={props.onClose}>
          {t('button.close')}
        </button>
      </header>
      {!session.canEditSites ? <p className="view-only">{session.sitesViewOnlyMessage}</p> : null}
      <div className="toolbar">
        <button type="button" className="button" disabled={!session.canEditSites} onClick={() => open({ kind: 'new' })}>
          {t('button.new')}
        </button>
        <button type="button" className="button" disabled={!session.canEditSites || !selectedRow} onClick={() => void deleteSelected()}>
          {t('button.delete')}
        </button>
        {showSync ? (
          <label className="check">
            <input type="checkbox" checked={attentionOnly} onChange={(e) => setAttentionOnly(e.target.checked)} />
            {t('sites:attention-only')}
          </label>
        ) : null}
        <SearchBox label={t('sites:search')} value={search} onChange={setSearch} />
      </div>
      <ErrorLine error={error} onDismiss={() => setError(null)} />
      <DataTable
        label={t('sites:table')}
        columns={showSync ? columnsWithSync(t) : siteColumns(t)}
        rows={rows}
        rowKey={(r) => r.siteId}
        selectedKey={selected}
        onSelect={setSelected}
        onActivate={(row) => open({ kind: 'existing', siteId: row.siteId })}
        sort={sort}
        onSort={onSort}
        emptyText={
          list === null
            ? t('sites:loading')
            : attentionOnly
              ? t('sites:empty.attention')
              : debouncedSearch
                ? t('sites:empty.search')
                : t('sites:empty.none')
        }
        className="sites-table"
        gridRef={grid}
      />
      <div className="sites-footer">
        <p className="status-line" aria-live="polite">
          {list === null
            ? ''
            : rows.length === list.total
              ? t('sites:count', { count: list.total })
              : t('sites:showing', { shown: rows.length, count: list.total })}
        </p>
        {showSync && health ? (
          <SyncThresholdsForm
            thresholds={health.thresholds}
            canEdit={session.canEditSites}
            onSaved={(thresholds) => {
              setHealth((h) => (h ? { ...h, thresholds } : h));
              refresh();
            }}
          />
        ) : null}
      </div>
      {details ? (
        <SiteDetailsDialog
          key={details.opening}
          target={details.target}
          onClose={() => setDetails(null)}
          onSaved={onSaved}
          onSavedNext={onSavedNext}
          onSitesChanged={refresh}
          onClosedFocus={() => grid.current?.focus()}
        />
      ) : null}
      <ConfirmDialog request={request} onAnswer={answer} />
    </section>
  );
}
