/**
 * The changes the central server refused because their store is no longer on this site. An
 * administrator sends them again (once the store is back here) or discards them; until then they
 * stay, so nothing a person entered is silently lost.
 */
import * as Dialog from '@radix-ui/react-dialog';
import type { TFunction } from 'i18next';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RefusedChange } from '../../shared/contract';
import type { AppError } from '../../shared/errors';
import { useApi } from '../api/api-context';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { DataTable, type Column } from '../components/DataTable';
import { ErrorLine } from '../components/ErrorLine';
import { useConfirm } from '../hooks/use-confirm';
import { dateTime } from '../i18n/format';

const columns = (t: TFunction): Column<RefusedChange>[] => [
  { key: 'store', header: t('sync:refused.store'), cell: (c) => c.storeName, width: '1.3fr' },
  { key: 'item', header: t('sync:refused.item'), cell: (c) => [c.itemCode, c.itemName].filter(Boolean).join(' ') || c.recordId, width: '2fr' },
  { key: 'action', header: t('sync:refused.change'), cell: (c) => t(`sync:action.${c.action}`), width: '6rem' },
  { key: 'when', header: t('sync:refused.when'), cell: (c) => dateTime(c.refusedAt), width: '11rem' },
];

export function RefusedChangesDialog(props: { canEdit: boolean; onClose: () => void }) {
  const api = useApi();
  const { t, i18n } = useTranslation();
  const { request, ask, answer } = useConfirm();
  const [list, setList] = useState<{ rows: RefusedChange[]; total: number } | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const load = useCallback(async () => {
    const result = await api.listRefusedChanges({});
    if (result.ok) setList(result.value);
    else setError(result.error);
  }, [api]);

  useEffect(() => {
    void load();
  }, [load]);

  const rows = list?.rows ?? [];
  const chosen = selected === null ? rows.map((r) => r.id) : [selected];

  const retry = async () => {
    const result = await api.retryRefusedChanges({ ids: chosen });
    if (!result.ok) return setError(result.error);
    setError(null);
    setSelected(null);
    setDone(t('sync:refused.sent-again', { count: result.value.count }));
    await load();
  };

  const discard = async () => {
    const confirmed = await ask(
      [
        {
          kind: 'discard_refused_changes',
          message:
            selected === null ? t('sync:refused.discard-all', { count: rows.length, lng: 'en' }) : t('sync:refused.discard-one', { lng: 'en' }),
          data: selected === null ? { count: rows.length, all: 1 } : { count: 1, all: 0 },
        },
      ],
      t('sync:refused.discard'),
    );
    if (!confirmed) return;
    const result = await api.discardRefusedChanges({ ids: chosen });
    if (!result.ok) return setError(result.error);
    setError(null);
    setSelected(null);
    setDone(t('sync:refused.discarded', { count: result.value.count }));
    await load();
  };

  return (
    <Dialog.Root open onOpenChange={(open) => !open && props.onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay className="overlay" />
        <Dialog.Content className="dialog dialog-picker" aria-describedby="refused-changes-hint">
          <Dialog.Title className="dialog-title">{t('sync:refused.title')}</Dialog.Title>
          <p id="refused-changes-hint" className="hint">
            {t('sync:refused.hint')} {list && list.total > rows.length ? t('sync:refused.showing', { shown: rows.length, count: list.total }) : ''}
          </p>
          <DataTable
            label={t('sync:refused.title')}
            columns={columns(t)}
            rows={rows}
            rowKey={(c) => c.id}
            selectedKey={selected}
            onSelect={(key) => setSelected(key === selected ? null : key)}
            emptyText={list === null ? t('loading') : t('sync:refused.empty')}
            fallbackHeight={240}
          />
          {rows.length > 0 ? (
            <p className="status-line">
              {i18n.language === 'en' ? (rows.find((r) => r.id === selected)?.refusedMessage ?? rows[0]!.refusedMessage) : t('sync:refused.reason')}
            </p>
          ) : null}
          {done ? (
            <p role="status" className="status-line">
              {done}
            </p>
          ) : null}
          <ErrorLine error={error} />
          <div className="dialog-buttons">
            <button type="button" className="button" disabled={!props.canEdit || rows.length === 0} onClick={() => void retry()}>
              {selected === null ? t('sync:refused.send-all') : t('sync:refused.send')}
            </button>
            <button type="button" className="button button-danger" disabled={!props.canEdit || rows.length === 0} onClick={() => void discard()}>
              {selected === null ? t('sync:refused.discard-all-button') : t('sync:refused.discard')}
            </button>
            <span className="spacer" />
            <Dialog.Close className="button">{t('button.close')}</Dialog.Close>
          </div>
          <ConfirmDialog request={request} onAnswer={answer} />
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
