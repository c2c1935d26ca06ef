/**
 * The Site details draft. Nothing reaches the datafile until OK, so the window keeps the whole
 * edit here, including the stores added and removed, and only at OK turns it into one saveSite.
 * Pure functions: the hook (hooks/use-site-draft.ts) holds the state, these compute it.
 */
import type { ConfirmationKind, Inputs, SiteDetails, SiteType, StoreRow } from '../../shared/contract';
import type { AppError } from '../../shared/errors';
import { i18n } from '../i18n';
import { errorText, fieldProblem } from '../i18n/words';

export interface SiteDraft {
  /** The site as it was opened (or last reloaded): the base the store changes are measured from. */
  opened: SiteDetails;
  /** The version the next save expects; advanced by the immediate actions (set active, reset hardware ID). */
  version: number;
  hardwareId: string;
  isActiveOnThisDatafile: boolean;
  code: string;
  name: string;
  /** Empty: keep the stored password. Anything else: the new password. */
  password: string;
  type: SiteType;
  useJsNodeHttpClient: boolean;
  stores: StoreRow[];
}

export type DraftFields = Pick<SiteDraft, 'code' | 'name' | 'password' | 'type' | 'useJsNodeHttpClient'>;

export function draftFromSite(site: SiteDetails): SiteDraft {
  return {
    opened: site,
    version: site.version,
    hardwareId: site.hardwareId,
    isActiveOnThisDatafile: site.isActiveOnThisDatafile,
    code: site.code,
    name: site.name,
    password: '',
    type: site.type,
    useJsNodeHttpClient: site.useJsNodeHttpClient,
    stores: site.stores,
  };
}

/**
 * The net change from the stores the site had when opened: a store removed and added back (or
 * added and removed again) is no change at all, so the save never mentions it.
 */
export function storeChanges(
  openedStoreIds: readonly number[],
  draftStoreIds: readonly number[],
): { addStoreIds: number[]; removeStoreIds: number[] } {
  const opened = new Set(openedStoreIds);
  const now = new Set(draftStoreIds);
  return {
    addStoreIds: [...now].filter((id) => !opened.has(id)),
    removeStoreIds: [...opened].filter((id) => !now.has(id)),
  };
}

export function addStore(draft: SiteDraft, store: StoreRow): SiteDraft {
  if (draft.stores.some((s) => s.storeId === store.storeId)) return draft;
  // A store that was on this site when opened comes back as it was; otherwise it shows where it comes from.
  const original = draft.opened.stores.find((s) => s.storeId === store.storeId);
  return { ...draft, stores: [...draft.stores, original ?? store] };
}

export function removeStore(draft: SiteDraft, storeId: number): SiteDraft {
  return { ...draft, stores: draft.stores.filter((s) => s.storeId !== storeId) };
}

export function editFields(draft: SiteDraft, fields: Partial<DraftFields>): SiteDraft {
  return { ...draft, ...fields };
}

/**
 * After an immediate action (Set site as active, Reset hardware ID) the server has a newer version
 * of the site; take its version and server-owned fields but keep every edit the user has made.
 */
export function withServerSite(draft: SiteDraft, site: SiteDetails): SiteDraft {
  return {
    ...draft,
    opened: {
      ...draft.opened,
      version: site.version,
      hardwareId: site.hardwareId,
      isActiveOnThisDatafile: site.isActiveOnThisDatafile,
      inActiveUse: site.inActiveUse,
    },
    version: site.version,
    hardwareId: site.hardwareId,
    isActiveOnThisDatafile: site.isActiveOnThisDatafile,
  };
}

export function hasChanges(draft: SiteDraft): boolean {
  const { addStoreIds, removeStoreIds } = storeChanges(
    draft.opened.stores.map((s) => s.storeId),
    draft.stores.map((s) => s.storeId),
  );
  return (
    draft.opened.isNew ||
    draft.code !== draft.opened.code ||
    draft.name !== draft.opened.name ||
    draft.password !== '' ||
    draft.type !== draft.opened.type ||
    draft.useJsNodeHttpClient !== draft.opened.useJsNodeHttpClient ||
    addStoreIds.length > 0 ||
    removeStoreIds.length > 0
  );
}

export function saveInputOf(draft: SiteDraft, confirmations: ConfirmationKind[] = []): Inputs['saveSite'] {
  const { addStoreIds, removeStoreIds } = storeChanges(
    draft.opened.stores.map((s) => s.storeId),
    draft.stores.map((s) => s.storeId),
  );
  return {
    siteId: draft.opened.isNew ? null : draft.opened.siteId,
    // A new site's code left at the proposed default follows the ID the save actually allocates.
    ...(draft.opened.isNew ? { proposedSiteId: draft.opened.siteId } : {}),
    expectedVersion: draft.opened.isNew ? null : draft.version,
    code: draft.code,
    name: draft.name,
    ...(draft.password !== '' ? { password: draft.password } : {}),
    type: draft.type,
    useJsNodeHttpClient: draft.useJsNodeHttpClient,
    addStoreIds,
    removeStoreIds,
    confirmations,
  };
}

export type FieldErrors = Partial<Record<keyof DraftFields | 'stores', string>>;

const fieldOfIssue: Record<string, keyof FieldErrors> = {
  code: 'code',
  name: 'name',
  password: 'password',
  type: 'type',
  useJsNodeHttpClient: 'useJsNodeHttpClient',
  addStoreIds: 'stores',
  removeStoreIds: 'stores',
};

/** Which fields an error belongs next to; what is left over is shown for the whole window. */
export function fieldErrorsOf(error: AppError): { fields: FieldErrors; general: boolean } {
  const fields: FieldErrors = {};
  if (error.code === 'site_name_required' || error.code === 'site_name_taken') {
    fields.name = errorText(i18n.t, error);
    return { fields, general: false };
  }
  if (error.code === 'mobile_site_one_store') {
    fields.stores = errorText(i18n.t, error);
    return { fields, general: false };
  }
  const issues = (error.data as { issues?: unknown } | undefined)?.issues;
  if (error.code === 'validation_failed' && Array.isArray(issues)) {
    let unplaced = false;
    for (const issue of issues as { field?: unknown; message?: unknown }[]) {
      const top = typeof issue.field === 'string' ? issue.field.split('.')[0]! : '';
      const field = fieldOfIssue[top];
      if (field && typeof issue.message === 'string')
        fields[field] ??= fieldProblem(
          i18n.t,
          String(issue.field),
          issue.message,
          issue as { rule?: string; limit?: number; data?: Record<string, unknown> },
        );
      else unplaced = true;
    }
    return { fields, general: unplaced || Object.keys(fields).length === 0 };
  }
  return { fields, general: true };
}
