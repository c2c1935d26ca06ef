/**
 * Site details (title "Sites"). The person edits a draft; nothing is sent until OK (or OK & Next),
 * and Cancel or Escape throws the whole draft away, stores added and removed included.
 */
import * as Dialog from '@radix-ui/react-dialog';
import { useState } from 'react';
import type { SiteDetails, StoreRow } from '../../shared/contract';
import { limits, siteTypes, type SiteType } from '../../shared/operations';
import type { AppError } from '../../shared/errors';
import { useApi } from '../api/api-context';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { DataTable, type Column } from '../components/DataTable';
import { ErrorLine } from '../components/ErrorLine';
import { ModalWindow } from '../components/ModalWindow';
import { Field } from '../components/Field';
import { SiteSyncPanel } from '../components/SiteSyncPanel';
import { SiteSignInFailures } from '../components/SignInFailuresPanel';
import { useConfirm } from '../hooks/use-confirm';
import { useLeaveWarning } from '../hooks/use-leave-warning';
import { useSiteDraft, type SiteTarget } from '../hooks/use-site-draft';
import { hasChanges } from '../draft/site-draft';
import { useSession } from '../session/session-context';
import { StorePickerDialog } from './StorePickerDialog';

const storeColumns: Column<StoreRow>[] = [
  {
    key: 'name',
    header: 'Store name',
    cell: (s) => s.name,
  },
];

export interface SiteDetailsDialogProps {
  target: SiteTarget;
  onClose: () => void;
  onSaved: (site: SiteDetails) => void;
  onSavedNext: (site: SiteDetails, wasNew: boolean) => void;
  /** Something about the sites changed without closing the window (e.g. the active site). */
  onSitesChanged?: () => void;
  /** Where the focus goes when the window closes (the sites list). */
  onClosedFocus?: () => void;
}

export function SiteDetailsDialog(props: SiteDetailsDialogProps) {
  const api = useApi();
  const session = useSession();
  const { request, ask, answer } = useConfirm();
  const site = useSiteDraft(props.target, ask);
  const [selectedStore, setSelectedStore] = useState<number | null>(null);
  const [pickingStore, setPickingStore] = useState(false);
  const [connection, setConnection] = useState<{ message: string; ok: boolean } | null>(null);
  const [checking, setChecking] = useState(false);
  const { draft, fieldErrors } = site;
  const readOnly = !session.canEditSites;
  const locked = readOnly || site.busy;
  // Refresh, Back or closing the tab would lose the draft: the browser asks first.
  useLeaveWarning(!readOnly && draft !== null && hasChanges(draft));
  const isCentralServer = session.whoAmI.datafile.isCentralServer;

  const ok = async (next: boolean) => {
    if (!draft || locked) return;
    const wasNew = draft.opened.isNew;
    const saved = await site.save();
    if (!saved) return;
    if (next) props.onSavedNext(saved, wasNew);
    else props.onSaved(saved);
  };

  const checkConnection = async () => {
    setChecking(true);
    const result = await api.checkConnection({});
    setChecking(false);
    setConnection(
      result.ok
        ? { message: result.value.message, ok: result.value.outcome === 'connected' }
        : { message: result.error.message, ok: false },
    );
  };

  const setActive = async () => {
    if (await site.setActive()) {
      await session.refresh();
      props.onSitesChanged?.();
    }
  };

  const resetHardwareId = async () => {
    if (await site.resetHardwareId()) props.onSitesChanged?.();
  };

  const generalError: AppError | null = site.error;
  const isNew = draft?.opened.isNew ?? false;
  const isCentralSite = draft?.opened.isCentral ?? false;

  return (
    <ModalWindow className="dialog-site" onClose={props.onClose} onClosedFocus={props.onClosedFocus}>
      <Dialog.Title className="dialog-title">Sites</Dialog.Title>
      <Dialog.Description className="visually-hidden">
        The details of one sync site. Nothing is saved until you press OK.
      </Dialog.Description>
      {readOnly ? <p className="view-only">{session.sitesViewOnlyMessage}</p> : null}
      {!draft ? <ErrorLine error={generalError} /> : null}
      {!draft && !generalError ? <p className="loading">Loading the site…</p> : null}
      {draft ? (
        <form
          className="site-form"
          onSubmit={(e) => {
            e.preventDefault();
            void ok(false);
          }}
        >
          <div className="site-columns">
            <fieldset className="group">
              <legend>Details</legend>
              <Field label="Site ID">
                <input type="text" readOnly disabled={readOnly} value={draft.opened.siteId} className="read-only" />
              </Field>
              <Field label="Site code" error={fieldErrors.code}>
                <input
                  type="text"
                  value={draft.code}
                  maxLength={limits.siteCode}
                  disabled={readOnly}
                  onChange={(e) => site.edit({ code: e.target.value })}
                />
              </Field>
              <Field
                label="Site name"
                error={fieldErrors.name}
                hint={
                  draft.name.length >= limits.siteName
                    ? `Site names can be at most ${limits.siteName} characters: this one is at the limit.`
                    : `Up to ${limits.siteName} characters. It is also the name the remote site syncs with.`
                }
              >
                <input
                  type="text"
                  value={draft.name}
                  maxLength={limits.siteName}
                  disabled={readOnly}
                  onChange={(e) => site.edit({ name: e.target.value })}
                />
              </Field>
              <Field label="Password" error={fieldErrors.password}>
                <input
                  type="password"
                  autoComplete="new-password"
                  value={draft.password}
                  maxLength={limits.sitePassword}
                  disabled={readOnly}
                  placeholder={
                    session.whoAmI.datafile.isRemoteSite
                      ? 'Kept on the central server.'
                      : draft.opened.hasPassword
                        ? 'A password is set. Type a new one to change it.'
                        : 'No password is set. Type one to set it.'
                  }
                  onChange={(e) => site.edit({ password: e.target.value })}
                />
              </Field>
              <Field
                label="Hardware ID"
                after={
                  <button
                    type="button"
                    className="button"
                    disabled={locked || isNew || !session.whoAmI.datafile.isCentralServer || draft.hardwareId === ''}
                    title={
                      session.whoAmI.datafile.isCentralServer
                        ? undefined
                        : 'The hardware ID can only be reset on the central server.'
                    }
                    onClick={() => void resetHardwareId()}
                  >
                    Reset hardware ID
                  </button>
                }
              >
                <input type="text" readOnly disabled={readOnly} value={draft.hardwareId} placeholder="Not set" className="read-only" />
              </Field>
              <Field label="Type" error={fieldErrors.type}>
                <select
                  value={draft.type}
                  disabled={readOnly}
                  onChange={(e) => site.edit({ type: e.target.value as SiteType })}
                >
                  {siteTypes.map((t) => (
                    <option key={t} value={t}>
                      {t}
                    </option>
                  ))}
                </select>
              </Field>
              <div className="stores">
                <div className="toolbar">
                  <button type="button" className="button" disabled={locked} onClick={() => setPickingStore(true)}>
                    Add store
                  </button>
                  <button
                    type="button"
                    className="button"
                    disabled={locked || isCentralSite || !draft.stores.some((s) => s.storeId === selectedStore)}
                    onClick={() => {
                      if (selectedStore !== null) site.removeStore(selectedStore);
                      setSelectedStore(null);
                    }}
                  >
                    Remove store
                  </button>
                </div>
                <DataTable
                  label="Stores of this site"
                  columns={storeColumns}
                  rows={draft.stores}
                  rowKey={(s) => s.storeId}
                  selectedKey={selectedStore}
                  onSelect={setSelectedStore}
                  emptyText="This site has no stores."
                  fallbackHeight={160}
                  className="stores-table"
                />
                {isCentralSite ? (
                  <p className="hint">
                    Stores on the central server site cannot be removed. Add them to another site to move them there.
                  </p>
                ) : null}
                {fieldErrors.stores ? <p className="field-error">{fieldErrors.stores}</p> : null}
              </div>
            </fieldset>
            <fieldset className="group">
              <legend>Settings</legend>
              <div className="setting-row">
                <label className="check">
                  <input type="checkbox" checked={draft.isActiveOnThisDatafile} readOnly disabled />
                  Site is active on this datafile
                </label>
                <button
                  type="button"
                  className="button"
                  disabled={locked || isNew || draft.isActiveOnThisDatafile}
                  onClick={() => void setActive()}
                >
                  Set site as active
                </button>
              </div>
              <div className="setting-row">
                <label className="check">
                  <input
                    type="checkbox"
                    checked={draft.useJsNodeHttpClient}
                    // On a remote site its own setting comes from the central server with each sync.
                    disabled={readOnly || (!isCentralServer && draft.isActiveOnThisDatafile)}
                    onChange={(e) => site.edit({ useJsNodeHttpClient: e.target.checked })}
                  />
                  Use js node HTTP client
                </label>
              </div>
              {isCentralServer ? (
                <p className="hint">
                  The remote site uses this setting for its sync calls: it receives it at its next sync.
                </p>
              ) : draft.isActiveOnThisDatafile ? (
                <p className="hint">Set on the central server; this site's sync uses it.</p>
              ) : null}
              {isCentralServer ? (
                // Check connection tests a remote site's connection to its central server: there is
                // nothing to check from the central itself, so it is explained rather than offered.
                <p className="hint" id="check-connection-on-central">
                  Check connection is done on a remote site: it tests that the remote datafile reaches this
                  central server as this site. This datafile is the central server.
                </p>
              ) : (
                <div className="setting-row">
                  <button type="button" className="button" disabled={checking} onClick={() => void checkConnection()}>
                    {checking ? 'Checking…' : 'Check connection'}
                  </button>
                </div>
              )}
              {connection ? (
                <p role="status" className={connection.ok ? 'connection ok' : 'connection failed'}>
                  {connection.message}
                </p>
              ) : null}
              {isCentralServer && !isNew && !isCentralSite ? (
                <SiteSyncPanel siteId={draft.opened.siteId} />
              ) : draft.opened.lastConnectedAt ? (
                <p className="hint">
                  Last connected {new Date(draft.opened.lastConnectedAt).toLocaleString()}
                  {draft.opened.appName ? ` from ${draft.opened.appName}` : ''}
                  {draft.opened.appVersion ? ` ${draft.opened.appVersion}` : ''}.
                </p>
              ) : null}
              {session.canEdit && !isNew && !isCentralSite && session.whoAmI.datafile.isCentralServer ? (
                <SiteSignInFailures siteId={draft.opened.siteId} />
              ) : null}
            </fieldset>
          </div>
          <ErrorLine error={generalError}>
            {generalError?.code === 'site_changed' && !isNew ? (
              <button type="button" className="button" onClick={() => void site.reload()}>
                Reload site
              </button>
            ) : null}
          </ErrorLine>
          <div className="dialog-buttons">
            <button type="button" className="button" disabled={locked} onClick={() => void ok(true)}>
              OK &amp; Next
            </button>
            <span className="spacer" />
            <button type="button" className="button" onClick={props.onClose}>
              Cancel
            </button>
            <button type="submit" className="button button-primary" disabled={locked}>
              OK
            </button>
          </div>
        </form>
      ) : null}
      {pickingStore && draft ? (
        <StorePickerDialog
          draftStoreIds={draft.stores.map((s) => s.storeId)}
          onPick={(store) => {
            site.addStore(store);
            setSelectedStore(store.storeId);
            setPickingStore(false);
          }}
          onClose={() => setPickingStore(false)}
        />
      ) : null}
      <ConfirmDialog request={request} onAnswer={answer} />
    </ModalWindow>
  );
}
