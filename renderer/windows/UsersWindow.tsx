/**
 * Users (Navigator > Users, or Special > Users... in the desktop menu): the users of this datafile,
 * New, and Edit user (Enter or a double-click). Only administrators manage users; anyone else is told
 * who can give them the permission.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { UserRow } from '../../shared/contract';
import type { AppError } from '../../shared/errors';
import { useApi } from '../api/api-context';
import { DataTable, type Column } from '../components/DataTable';
import { ErrorLine } from '../components/ErrorLine';
import { UserDetailsDialog, type UserTarget } from '../dialogs/UserDetailsDialog';
import { useSession } from '../session/session-context';

const columns: Column<UserRow>[] = [
  {
    key: 'name',
    header: 'User name',
    cell: (u) => (
      <>
        {u.name}
        {u.isYou ? <span className="tag">you</span> : null}
      </>
    ),
    width: '3fr',
  },
  { key: 'admin', header: 'Admin', cell: (u) => (u.admin ? 'Admin' : ''), width: '8rem' },
  { key: 'status', header: 'Status', cell: (u) => (u.disabled ? 'Disabled' : 'Enabled'), width: '8rem' },
];

export const notAdministratorMessage =
  'Only administrators manage users. An administrator can give you the Admin permission here, under Edit user > Permissions > Admin.';

export function UsersWindow(props: { onClose: () => void }) {
  const api = useApi();
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
        <h2 id="users-window-title">Users</h2>
        <button type="button" className="button" onClick={props.onClose}>
          Close
        </button>
      </header>
      {!session.canEdit ? (
        <p className="view-only">{notAdministratorMessage}</p>
      ) : (
        <>
          <div className="toolbar">
            <button type="button" className="button" onClick={() => open({ kind: 'new' })}>
              New
            </button>
            <button
              type="button"
              className="button"
              disabled={selected === null}
              onClick={() => selected !== null && open({ kind: 'existing', userId: selected })}
            >
              Edit user
            </button>
          </div>
          <ErrorLine error={error} onDismiss={() => setError(null)} />
          <DataTable
            label="Users"
            columns={columns}
            rows={rows ?? []}
            rowKey={(u) => u.userId}
            selectedKey={selected}
            onSelect={setSelected}
            onActivate={(u) => open({ kind: 'existing', userId: u.userId })}
            emptyText={rows === null ? 'Loading users…' : 'There are no users.'}
            gridRef={grid}
            className="users-table"
          />
          <p className="status-line" aria-live="polite">
            {rows ? `${rows.length} user${rows.length === 1 ? '' : 's'}; ${rows.filter((r) => r.admin && !r.disabled).length} enabled administrator(s)` : ''}
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
