/**
 * Users (Navigator > Users, or Special > Users... in the desktop menu): the users of this datafile,
 * New, and Edit user (Enter or a double-click). Only administrators manage users; anyone else is told
 * who can give them the permission.
 */
import type { TFunction } from 'i18next';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { UserRow } from '../../shared/contract';
import type { AppError } from '../../shared/errors';
import { useApi } from '../api/api-context';
import { DataTable, type Column } from '../components/DataTable';
import { ErrorLine } from '../components/ErrorLine';
import { UserDetailsDialog, type UserTarget } from '../dialogs/UserDetailsDialog';
import { useSession } from '../session/session-context';

const columns = (t: TFunction): Column<UserRow>[] => [
  {
    key: 'name',
    header: t('field.user-name'),
    cell: (u) => (
      <>
        {u.name}
        {u.isYou ? <span className="tag">{t('users:you')}</span> : null}
      </>
    ),
    width: '3fr',
  },
  { key: 'admin', header: t('users:admin'), cell: (u) => (u.admin ? t('users:admin') : ''), width: '8rem' },
  { key: 'status', header: t('users:status'), cell: (u) => (u.disabled ? t('users:disabled') : t('users:enabled')), width: '8rem' },
];

export function UsersWindow(props: { onClose: () => void }) {
  const api = useApi();
  const { t } = useTranslation();
  const session = useSession();
  const [rows, setRows] = useState<UserRow[] | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [editing, setEditing] = useState<{ target: UserTarget; opening: number } | null>(null);
  const openings = useRef(0);
  const grid = useRef<HTMLDivElement | null>(null);

  const load = useCallback(async () => {
    const result = await api.listUsers({});
    if (!result.ok) return setError(result.error);
    setRows(result.value.rows);
    setSelected((current) => current ?? result.value.rows[0]?.userId ?? null);
  }, [api]);

  useEffect(() => {
    if (session.canEdit) void load();
  }, [load, session.canEdit]);

  // Opening the window puts the focus on the list, so arrows and Enter work at once.
  const focused = useRef(false);
  useEffect(() => {
    if (rows && !focused.current) {
      focused.current = true;
      grid.current?.focus();
    }
  }, [rows]);

  const open = (target: UserTarget) => {
    setError(null);
    openings.current += 1;
    setEditing({ target, opening: openings.current });
  };

  return (
    <section className="window" aria-labelledby="users-window-title">
      <header className="window-title-bar">
        <h2 id="users-window-title">{t('users:title')}</h2>
        <button type="button" className="button" onClick={props.onClose}>
          {t('button.close')}
        </button>
      </header>
      {!session.canEdit ? (
        <p className="view-only">{t('users:not-administrator')}</p>
      ) : (
        <>
          <div className="toolbar">
            <button type="button" className="button" onClick={() => open({ kind: 'new' })}>
              {t('button.new')}
            </button>
            <button
              type="button"
              className="button"
              disabled={selected === null}
              onClick={() => selected !== null && open({ kind: 'existing', userId: selected })}
            >
              {t('users:edit')}
            </button>
          </div>
          <ErrorLine error={error} onDismiss={() => setError(null)} />
          <DataTable
            label={t('users:title')}
            columns={columns(t)}
            rows={rows ?? []}
            rowKey={(u) => u.userId}
            selectedKey={selected}
            onSelect={setSelected}
            onActivate={(u) => open({ kind: 'existing', userId: u.userId })}
            emptyText={rows === null ? t('users:loading') : t('users:empty')}
            gridRef={grid}
            className="users-table"
          />
          <p className="status-line" aria-live="polite">
            {rows
              ? t('users:count', {
                  count: rows.length,
                  administrators: t('users:administrators', { count: rows.filter((r) => r.admin && !r.disabled).length }),
                })
              : ''}
          </p>
        </>
      )}
      {editing ? (
        <UserDetailsDialog
          key={editing.opening}
          target={editing.target}
          onClose={() => setEditing(null)}
          onClosedFocus={() => grid.current?.focus()}
          onSaved={(saved) => {
            setEditing(null);
            setSelected(saved.userId);
            void load();
            // Your own name may have changed: the title bar shows it.
            if (saved.isYou) void session.refresh();
          }}
        />
      ) : null}
    </section>
  );
}
