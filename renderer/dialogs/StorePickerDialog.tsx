/**
 * Add store: the stores that can move to this site (every store not already in the draft), found by
 * the server. Double-click a store, or select one and press OK; the store joins the draft only.
 */
import * as Dialog from '@radix-ui/react-dialog';
import type { TFunction } from 'i18next';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { StoreRow } from '../../shared/contract';
import type { AppError } from '../../shared/errors';
import { useApi } from '../api/api-context';
import { DataTable, type Column } from '../components/DataTable';
import { ErrorLine } from '../components/ErrorLine';
import { SearchBox } from '../components/SearchBox';
import { useDebouncedValue } from '../hooks/use-debounced-value';

const columns = (t: TFunction): Column<StoreRow>[] => [
  { key: 'code', header: t('sites:store.code'), cell: (s) => s.code, width: '9rem' },
  { key: 'name', header: t('sites:store.name'), cell: (s) => s.name, width: '2fr' },
  { key: 'site', header: t('sites:store.current-site'), cell: (s) => s.siteName, width: '1.5fr' },
];

const pageSize = 1000;

export function StorePickerDialog(props: { draftStoreIds: number[]; onPick: (store: StoreRow) => void; onClose: () => void }) {
  const api = useApi();
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const debouncedSearch = useDebouncedValue(search.trim(), 150);
  const [list, setList] = useState<{ rows: StoreRow[]; total: number } | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const draftKey = props.draftStoreIds.join(',');

  useEffect(() => {
    let current = true;
    const draftStoreIds = draftKey ? draftKey.split(',').map(Number) : [];
    void api.listAddableStores({ draftStoreIds, limit: pageSize, ...(debouncedSearch ? { search: debouncedSearch } : {}) }).then((result) => {
      if (!current) return;
      if (result.ok) {
        setList(result.value);
        setError(null);
      } else setError(result.error);
    });
    return () => {
      current = false;
    };
  }, [api, draftKey, debouncedSearch]);

  const rows = list?.rows ?? [];
  const selectedRow = rows.find((r) => r.storeId === selected);

  return (
    <Dialog.Root open onOpenChange={(open) => !open && props.onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay className="overlay" />
        <Dialog.Content
          className="dialog dialog-picker"
          onPointerDownOutside={(e) => e.preventDefault()}
          onInteractOutside={(e) => e.preventDefault()}
        >
          <Dialog.Title className="dialog-title">{t('sites:picker.title')}</Dialog.Title>
          <Dialog.Description className="hint">{t('sites:picker.hint')}</Dialog.Description>
          <div className="toolbar">
            <span className="spacer" />
            <SearchBox label={t('sites:picker.search')} value={search} onChange={setSearch} />
          </div>
          <ErrorLine error={error} />
          <DataTable
            label={t('sites:picker.table')}
            columns={columns(t)}
            rows={rows}
            rowKey={(s) => s.storeId}
            selectedKey={selected}
            onSelect={setSelected}
            onActivate={props.onPick}
            emptyText={list === null ? t('sites:picker.loading') : t('sites:picker.empty')}
            fallbackHeight={320}
            className="picker-table"
          />
          {list && list.total > list.rows.length ? (
            <p className="hint">{t('sites:picker.showing', { shown: list.rows.length, count: list.total })}</p>
          ) : null}
          <div className="dialog-buttons">
            <span className="spacer" />
            <button type="button" className="button" onClick={props.onClose}>
              {t('button.cancel')}
            </button>
            <button type="button" className="button button-primary" disabled={!selectedRow} onClick={() => selectedRow && props.onPick(selectedRow)}>
              {t('button.ok')}
            </button>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
