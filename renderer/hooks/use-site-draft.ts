/**
 * The Site details window's state: loading the site, the draft the person edits, saving it with
 * whatever confirmations the core asks for, and the two immediate actions (Set site as active,
 * Reset hardware ID) that go to the server at once but must not lose the draft's other edits.
 */
import { i18n } from '../i18n';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Confirmation, ConfirmableResult, ConfirmationKind, SiteDetails, StoreRow } from '../../shared/contract';
import type { AppError, Result } from '../../shared/errors';
import { useApi } from '../api/api-context';
import {
  addStore,
  draftFromSite,
  editFields,
  fieldErrorsOf,
  removeStore,
  saveInputOf,
  withServerSite,
  type DraftFields,
  type FieldErrors,
  type SiteDraft,
} from '../draft/site-draft';

export type SiteTarget = { kind: 'new' } | { kind: 'existing'; siteId: number };

type Ask = (confirmations: Confirmation[], confirmLabel?: string) => Promise<boolean>;

export function useSiteDraft(target: SiteTarget, ask: Ask) {
  const api = useApi();
  const [draft, setDraft] = useState<SiteDraft | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const draftRef = useRef<SiteDraft | null>(null);
  draftRef.current = draft;

  const showError = useCallback((failure: AppError) => {
    const placed = fieldErrorsOf(failure);
    setFieldErrors(placed.fields);
    setError(placed.general ? failure : null);
  }, []);

  const clearErrors = useCallback(() => {
    setError(null);
    setFieldErrors({});
  }, []);

  const targetSiteId = target.kind === 'existing' ? target.siteId : null;
  useEffect(() => {
    let current = true;
    setDraft(null);
    clearErrors();
    const load = targetSiteId === null ? api.newSite({}) : api.getSite({ siteId: targetSiteId });
    void load.then((result) => {
      if (!current) return;
      if (result.ok) setDraft(draftFromSite(result.value));
      else setError(result.error);
    });
    return () => {
      current = false;
    };
  }, [api, targetSiteId, clearErrors]);

  const edit = useCallback((fields: Partial<DraftFields>) => {
    setDraft((d) => (d ? editFields(d, fields) : d));
    setFieldErrors((errors) => {
      const next = { ...errors };
      for (const key of Object.keys(fields) as (keyof DraftFields)[]) delete next[key];
      return next;
    });
  }, []);

  const add = useCallback((store: StoreRow) => setDraft((d) => (d ? addStore(d, store) : d)), []);
  const remove = useCallback((storeId: number) => setDraft((d) => (d ? removeStore(d, storeId) : d)), []);

  /** Reopens the site from the server, dropping the draft (after someone else changed it). */
  const reload = useCallback(async () => {
    const current = draftRef.current;
    if (!current || current.opened.isNew) return;
    setBusy(true);
    const result = await api.getSite({ siteId: current.opened.siteId });
    setBusy(false);
    if (!result.ok) return showError(result.error);
    clearErrors();
    setDraft(draftFromSite(result.value));
  }, [api, showError, clearErrors]);

  /** OK: sends the draft, asking for each confirmation the core wants. Resolves to the saved site, or null. */
  const save = useCallback(async (): Promise<SiteDetails | null> => {
    const current = draftRef.current;
    if (!current) return null;
    setBusy(true);
    try {
      let confirmations: ConfirmationKind[] = [];
      for (;;) {
        const result = await api.saveSite(saveInputOf(current, confirmations));
        if (!result.ok) {
          showError(result.error);
          return null;
        }
        if (result.value.status === 'saved') {
          clearErrors();
          return result.value.site;
        }
        const asked = result.value.confirmations;
        if (!(await ask(asked, i18n.t('sites:confirm.save-anyway')))) return null;
        confirmations = [...new Set([...confirmations, ...asked.map((c) => c.kind)])];
      }
    } finally {
      setBusy(false);
    }
  }, [api, ask, showError, clearErrors]);

  const immediate = useCallback(
    async (call: (confirmed: boolean) => Promise<Result<ConfirmableResult<{ site: SiteDetails }>>>, confirmLabel: string): Promise<boolean> => {
      setBusy(true);
      try {
        let result = await call(false);
        if (result.ok && result.value.status === 'needs_confirmation') {
          if (!(await ask(result.value.confirmations, confirmLabel))) return false;
          result = await call(true);
        }
        if (!result.ok) {
          setError(result.error);
          return false;
        }
        if (result.value.status !== 'done') return false;
        const site = result.value.site;
        setError(null);
        setDraft((d) => (d ? withServerSite(d, site) : d));
        return true;
      } finally {
        setBusy(false);
      }
    },
    [ask],
  );

  const setActive = useCallback(async () => {
    const current = draftRef.current;
    if (!current || current.opened.isNew) return false;
    const siteId = current.opened.siteId;
    return immediate((confirmed) => api.setActiveSite({ siteId, confirmed }), i18n.t('sites:confirm.set-active'));
  }, [api, immediate]);

  const resetHardwareId = useCallback(async () => {
    const current = draftRef.current;
    if (!current || current.opened.isNew) return false;
    const siteId = current.opened.siteId;
    return immediate((confirmed) => api.resetHardwareId({ siteId, confirmed }), i18n.t('sites:confirm.reset-hardware-id'));
  }, [api, immediate]);

  return { draft, error, fieldErrors, busy, edit, addStore: add, removeStore: remove, reload, save, setActive, resetHardwareId };
}
