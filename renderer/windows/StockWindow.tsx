/**
 * The Stock page: the stock lines of each store active on this site. Any logged-in user may add,
 * change and delete lines here, online or offline; each change waits in this datafile until the
 * next sync sends it to the central server.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { StockLine, StockStore } from '../../shared/contract';
import type { AppError } from '../../shared/errors';
import { limits } from '../../shared/operations';
import { useApi } from '../api/api-context';
import { DataTable, type Column } from '../components/DataTable';
import { ErrorLine } from '../components/ErrorLine';
import { Field } from '../components/Field';
import { number } from '../i18n/format';
import { fieldProblem } from '../i18n/words';

interface Draft {
  itemCode: string;
  itemName: string;
  quantity: string;
}

const emptyDraft: Draft = { itemCode: '', itemName: '', quantity: '0' };

export function StockWindow(props: { onClose: () => void }) {
  const api = useApi();
  const { t } = useTranslation();
  const [stores, setStores] = useState<StockStore[] | null>(null);
  const [storeId, setStoreId] = useState<number | null>(null);
  const [lines, setLines] = useState<StockLine[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  const [error, setError] = useState<AppError | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  // The table wants numeric row keys; stock lines have UUIDs.
  const keys = useRef(new Map<string, number>());
  const keyOf = (lineId: string) => {
    let key = keys.current.get(lineId);
    if (key === undefined) {
      key = keys.current.size + 1;
      keys.current.set(lineId, key);
    }
    return key;
  };

  const loadStores = useCallback(async () => {
    const result = await api.listStockStores({});
    if (!result.ok) return setError(result.error);
    setStores(result.value.stores);
    setStoreId((id) => (id !== null && result.value.stores.some((s) => s.storeId === id) ? id : (result.value.stores[0]?.storeId ?? null)));
  }, [api]);

  const loadLines = useCallback(
    async (id: number) => {
      const result = await api.listStockLines({ storeId: id });
      if (!result.ok) return setError(result.error);
      setLines(result.value.lines);
    },
    [api],
  );

  useEffect(() => {
    void loadStores();
  }, [loadStores]);

  useEffect(() => {
    setSelected(null);
    setDraft(emptyDraft);
    if (storeId !== null) void loadLines(storeId);
    else setLines([]);
  }, [storeId, loadLines]);

  const select = (lineId: string | null) => {
    setSelected(lineId);
    setFieldErrors({});
    const line = lines.find((l) => l.lineId === lineId);
    setDraft(line ? { itemCode: line.itemCode, itemName: line.itemName, quantity: String(line.quantity) } : emptyDraft);
  };

  const save = async () => {
    if (storeId === null) return;
    const quantity = draft.quantity.trim() === '' ? Number.NaN : Number(draft.quantity);
    if (!Number.isFinite(quantity)) return setFieldErrors({ quantity: t('stock:quantity-number') });
    const result = await api.saveStockLine({ storeId, lineId: selected, itemCode: draft.itemCode, itemName: draft.itemName, quantity });
    if (!result.ok) {
      const issues =
        (result.error.data as { issues?: { field: string; message: string; rule?: string; limit?: number }[] } | undefined)?.issues ?? [];
      setFieldErrors(Object.fromEntries(issues.map((i) => [i.field, fieldProblem(t, i.field, i.message, i)])));
      return setError(issues.length > 0 ? null : result.error);
    }
    setError(null);
    setFieldErrors({});
    await loadLines(storeId);
    await loadStores();
    setSelected(result.value.lineId);
  };

  const remove = async () => {
    if (selected === null || storeId === null) return;
    const result = await api.deleteStockLine({ lineId: selected });
    if (!result.ok) return setError(result.error);
    setError(null);
    select(null);
    await loadLines(storeId);
    await loadStores();
  };

  const columns: Column<StockLine>[] = [
    { key: 'itemCode', header: t('stock:item-code'), cell: (l) => l.itemCode, width: '10rem' },
    { key: 'itemName', header: t('stock:item-name'), cell: (l) => l.itemName, width: '3fr' },
    { key: 'quantity', header: t('stock:quantity'), cell: (l) => number(l.quantity), width: '8rem' },
  ];
  const store = stores?.find((s) => s.storeId === storeId);

  return (
    <section className="window" aria-labelledby="stock-window-title">
      <header className="window-title-bar">
        <h2 id="stock-window-title">{t('stock:title')}</h2>
        <button type="button" className="button" onClick={props.onClose}>
          {t('button.close')}
        </button>
      </header>
      <p className="hint">{t('stock:hint')}</p>
      {stores !== null && stores.length === 0 ? <p className="status-line">{t('stock:no-store')}</p> : null}
      <div className="toolbar">
        <label htmlFor="stock-store">{t('stock:store')}</label>
        <select id="stock-store" value={storeId ?? ''} onChange={(e) => setStoreId(Number(e.target.value))} disabled={!stores?.length}>
          {(stores ?? []).map((s) => (
            <option key={s.storeId} value={s.storeId}>
              {s.name} ({s.code})
            </option>
          ))}
        </select>
      </div>
      <ErrorLine error={error} />
      <DataTable
        label={t('stock:lines')}
        columns={columns}
        rows={lines}
        rowKey={(l) => keyOf(l.lineId)}
        selectedKey={selected === null ? null : keyOf(selected)}
        onSelect={(key) => select([...keys.current].find(([, k]) => k === key)?.[0] ?? null)}
        emptyText={store ? t('stock:empty', { store: store.name }) : ''}
        fallbackHeight={240}
      />
      <p className="status-line">{store ? t('stock:count', { count: lines.length }) : ''}</p>
      <form
        aria-label={selected ? t('stock:change-line') : t('stock:new-line-form')}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <Field label={t('stock:item-code')} error={fieldErrors.itemCode}>
          <input value={draft.itemCode} maxLength={limits.itemCode} onChange={(e) => setDraft({ ...draft, itemCode: e.target.value })} />
        </Field>
        <Field label={t('stock:item-name')} error={fieldErrors.itemName}>
          <input value={draft.itemName} maxLength={limits.itemName} onChange={(e) => setDraft({ ...draft, itemName: e.target.value })} />
        </Field>
        <Field label={t('stock:quantity')} error={fieldErrors.quantity}>
          <input type="number" min={0} step="any" value={draft.quantity} onChange={(e) => setDraft({ ...draft, quantity: e.target.value })} />
        </Field>
        <div className="toolbar">
          <button type="submit" className="button" disabled={storeId === null}>
            {selected ? t('stock:save') : t('stock:add')}
          </button>
          <button type="button" className="button" disabled={selected === null} onClick={() => select(null)}>
            {t('stock:new-line')}
          </button>
          <button type="button" className="button" disabled={selected === null} onClick={() => void remove()}>
            {t('stock:delete-line')}
          </button>
        </div>
      </form>
    </section>
  );
}
