/**
 * The changes the central server refused because their store is no longer on this site. An
 * administrator sends them again (once the store is back here) or discards them; until then they
 * stay, so nothing a person entered is silently lost.
 */
import * as Dialog from '@radix-ui/react-dialog';
import { useCallback, useEffect, useState } from 'react';
import type { RefusedChange } from '../../shared/contract';
import type { AppError } from '../../shared/errors';
import { useApi } from '../api/api-context';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { DataTable, type Column } from '../components/DataTable';
import { ErrorLine } from '../components/ErrorLine';
import { useConfirm } from '../hooks/use-confirm';

const columns: Column<RefusedChange>[] = [
  { key: 'store', header: 'Store', cell: (c) => c.storeName, width: '1.3fr' },
  { key: 'item', header: 'Item', cell: (c) => [c.itemCode, c.itemName].filter(Boolean).join(' ') || c.recordId, width: '2fr' },
  { key: 'action', header: 'Change', cell: (c) => c.action, width: '6rem' },
  { key: 'when', header: 'Refused', cell: (c) => new Date(c.refusedAt).toLocaleString(), width: '11rem' },
];

export function RefusedChangesDialog(props: { canEdit: boolean; onClose: () => void }) {
  const api = useApi();
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
  const what = selected === null ? `all ${rows.length} refused change${rows.length === 1 ? '' : 's'}` : 'the selected change';

  const retry = async () => {
    const result = await api.retryRefusedChanges({ ids: chosen });
    if (!result.ok) return setError(result.error);
    setError(null);
    setSelected(null);
    setDone(`${result.value.count} change${result.value.count === 1 ? '' : 's'} will be sent again at the next sync.`);
    await load();
  };

  const discard = async () => {
    const confirmed = await ask(
      [
        {
          kind: 'discard_refused_changes',
          message: `Discard ${what}? The central server will never receive ${selected === null ? 'them' : 'it'}; this cannot be undone.`,
        },
      ],
      'Discard',
    );
    if (!confirmed) return;
    const result = await api.discardRefusedChanges({ ids: chosen });
    if (!result.ok) return setError(result.error);
    setError(null);
    setSelected(null);
    setDone(`${result.value.count} change${result.value.count === 1 ? '' : 's'} discarded.`);
    await load();
  };

  return (
    <Dialog.Root open onOpenChange={(open) => !open && props.onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay className="overlay" />
        <Dialog.Content className="dialog dialog-picker" aria-describedby="refused-changes-hint">
          <Dialog.Title className="dialog-title">Refused changes</Dialog.Title>
          <p id="refused-changes-hint" className="hint">
            The central server refused these changes because their store is no longer on this site. Send them again once the
            store is back on this site, or discard them. {list && list.total > rows.length ? `Showing the first ${rows.length} of ${list.total}.` : ''}
          </p>
          <DataTable
            label="Refused changes"
            columns={columns}
            rows={rows}
            rowKey={(c) => c.id}
            selectedKey={selected}
            onSelect={(key) => setSelected(key === selected ? null : key)}
            emptyText={list === null ? 'Loading…' : 'No refused changes.'}
            fallbackHeight={240}
          />
          {rows.length > 0 ? <p className="status-line">{rows.find((r) => r.id === selected)?.refusedMessage ?? rows[0]!.refusedMessage}</p> : null}
          {done ? (
            <p role="status" className="status-line">
              {done}
            </p>
          ) : null}
          <ErrorLine error={error} />
          <div className="dialog-buttons">
            <button type="button" className="button" disabled={!props.canEdit || rows.length === 0} onClick={() => void retry()}>
              {selected === null ? 'Send all again' : 'Send again'}
            </button>
            <button type="button" className="button button-danger" disabled={!props.canEdit || rows.length === 0} onClick={() => void discard()}>
              {selected === null ? 'Discard all' : 'Discard'}
            </button>
            <span className="spacer" />
            <Dialog.Close className="button">Close</Dialog.Close>
          </div>
          <ConfirmDialog request={request} onAnswer={answer} />
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
