/**
 * Site details (title "Sites"). The person edits a draft; nothing is sent until OK (or OK & Next),
 * and Cancel or Escape throws the whole draft away, stores added and removed included.
 */
import * as Dialog from '@radix-ui/react-dialog';
import type { TFunction } from 'i18next';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
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
import { connectionText } from '../components/sync-words';
import { SiteSignInFailures } from '../components/SignInFailuresPanel';
import { useConfirm } from '../hooks/use-confirm';
import { useLeaveWarning } from '../hooks/use-leave-warning';
import { useSiteDraft, type SiteTarget } from '../hooks/use-site-draft';
import { hasChanges } from '../draft/site-draft';
import { useSession } from '../session/session-context';
import { StorePickerDialog } from './StorePickerDialog';
import { dateTime } from '../i18n/format';
import { errorText } from '../i18n/words';

const storeColumns = (t: TFunction): Column<StoreRow>[] => [
  {
    key: 'name',
    header: t('sites:store.name'),
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
  const { t } = useTranslation();
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
        ? { message: connectionText(t, result.value), ok: result.value.outcome === 'connected' }
        : { message: errorText(t, result.error), ok: false },
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
      <Dialog.Title className="dialog-title">{t('sites:details.title')}</Dialog.Title>
      <Dialog.Description className="visually-hidden">{t('sites:details.description')}</Dialog.Description>
      {readOnly ? <p className="view-only">{session.sitesViewOnlyMessage}</p> : null}
      {!draft ? <ErrorLine error={generalError} /> : null}
      {!draft && !generalError ? <p className="loading">{t('sites:details.loading')}</p> : null}
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
              <legend>{t('sites:details.group')}</legend>
              <Field label={t('sites:column.id-long')}>
                <input type="text" readOnly disabled={readOnly} value={draft.opened.siteId} className="read-only" />
              </Field>
              <Field label={t('sites:column.code')} error={fieldErrors.code}>
                <input
                  type="text"
                  value={draft.code}
                  maxLength={limits.siteCode}
                  disabled={readOnly}
                  onChange={(e) => site.edit({ code: e.target.value })}
                />
              </Field>
              <Field
                label={t('sites:column.name')}
                error={fieldErrors.name}
                hint={
                  draft.name.length >= limits.siteName
                    ? t('sites:details.name-at-limit', { count: limits.siteName })
                    : t('sites:details.name-hint', { count: limits.siteName })
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
              <Field label={t('field.password')} error={fieldErrors.password}>
                <input
                  type="password"
                  autoComplete="new-password"
                  value={draft.password}
                  maxLength={limits.sitePassword}
                  disabled={readOnly}
                  placeholder={
                    session.whoAmI.datafile.isRemoteSite
                      ? t('sites:details.password-on-central')
                      : draft.opened.hasPassword
                        ? t('sites:details.password-set')
                        : t('sites:details.password-not-set')
                  }
                  onChange={(e) => site.edit({ password: e.target.value })}
                />
              </Field>
              <Field
                label={t('sites:details.hardware-id')}
                after={
                  <button
                    type="button"
                    className="button"
                    disabled={locked || isNew || !session.whoAmI.datafile.isCentralServer || draft.hardwareId === ''}
                    title={session.whoAmI.datafile.isCentralServer ? undefined : t('sites:details.reset-on-central')}
                    onClick={() => void resetHardwareId()}
                  >
                    {t('sites:confirm.reset-hardware-id')}
                  </button>
                }
              >
                <input
                  type="text"
                  readOnly
                  disabled={readOnly}
                  value={draft.hardwareId}
                  placeholder={t('sites:details.not-set')}
                  className="read-only"
                />
              </Field>
              <Field label={t('sites:details.type')} error={fieldErrors.type}>
                <select value={draft.type} disabled={readOnly} onChange={(e) => site.edit({ type: e.target.value as SiteType })}>
                  {siteTypes.map((type) => (
                    <option key={type} value={type}>
                      {t(`sites:type.${type}`)}
                    </option>
                  ))}
                </select>
              </Field>
              <div className="stores">
                <div className="toolbar">
                  <button type="button" className="button" disabled={locked} onClick={() => setPickingStore(true)}>
                    {t('sites:details.add-store')}
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
                    {t('sites:details.remove-store')}
                  </button>
                </div>
                <DataTable
                  label={t('sites:details.stores')}
                  columns={storeColumns(t)}
                  rows={draft.stores}
                  rowKey={(s) => s.storeId}
                  selectedKey={selectedStore}
                  onSelect={setSelectedStore}
                  emptyText={t('sites:details.no-stores')}
                  fallbackHeight={160}
                  className="stores-table"
                />
                {isCentralSite ? <p className="hint">{t('sites:details.central-stores')}</p> : null}
                {fieldErrors.stores ? <p className="field-error">{fieldErrors.stores}</p> : null}
              </div>
            </fieldset>
            <fieldset className="group">
              <legend>{t('sites:details.settings')}</legend>
              <div className="setting-row">
                <label className="check">
                  <input type="checkbox" checked={draft.isActiveOnThisDatafile} readOnly disabled />
                  {t('sites:details.is-active')}
                </label>
                <button type="button" className="button" disabled={locked || isNew || draft.isActiveOnThisDatafile} onClick={() => void setActive()}>
                  {t('sites:details.set-active')}
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
                  {t('sites:details.js-node')}
                </label>
              </div>
              {isCentralServer ? (
                <p className="hint">{t('sites:details.js-node-central')}</p>
              ) : draft.isActiveOnThisDatafile ? (
                <p className="hint">{t('sites:details.js-node-remote')}</p>
              ) : null}
              {isCentralServer ? (
                // Check connection tests a remote site's connection to its central server: there is
                // nothing to check from the central itself, so it is explained rather than offered.
                <p className="hint" id="check-connection-on-central">
                  {t('sites:details.check-on-central')}
                </p>
              ) : (
                <div className="setting-row">
                  <button type="button" className="button" disabled={checking} onClick={() => void checkConnection()}>
                    {checking ? t('sync:checking') : t('sync:check-connection')}
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
                  {draft.opened.appName
                    ? t('sites:details.last-connected-from', {
                        at: dateTime(draft.opened.lastConnectedAt),
                        app: `${draft.opened.appName}${draft.opened.appVersion ? ` ${draft.opened.appVersion}` : ''}`,
                      })
                    : t('sites:details.last-connected', { at: dateTime(draft.opened.lastConnectedAt) })}
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
                {t('sites:details.reload')}
              </button>
            ) : null}
          </ErrorLine>
          <div className="dialog-buttons">
            <button type="button" className="button" disabled={locked} onClick={() => void ok(true)}>
              {t('sites:details.ok-next')}
            </button>
            <span className="spacer" />
            <button type="button" className="button" onClick={props.onClose}>
              {t('button.cancel')}
            </button>
            <button type="submit" className="button button-primary" disabled={locked}>
              {t('button.ok')}
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
