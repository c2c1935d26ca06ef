/**
 * New user / Edit user. Two tabs as in mSupply: Details (user name, password, disabled) and
 * Permissions, whose "Admin" is the permission to edit sync settings (and to manage users). Like the
 * Site details window, nothing is saved until OK, and Cancel or Escape discards the edits.
 */
import * as Dialog from '@radix-ui/react-dialog';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { UserDetails } from '../../shared/contract';
import type { AppError } from '../../shared/errors';
import { limits } from '../../shared/operations';
import { useApi } from '../api/api-context';
import { ErrorLine } from '../components/ErrorLine';
import { ModalWindow } from '../components/ModalWindow';
import { Field } from '../components/Field';
import { Tabs } from '../components/Tabs';
import { useLeaveWarning } from '../hooks/use-leave-warning';
import { errorText, fieldProblem } from '../i18n/words';

export type UserTarget = { kind: 'new' } | { kind: 'existing'; userId: number };

interface Draft {
  name: string;
  password: string;
  repeat: string;
  admin: boolean;
  disabled: boolean;
}

type FieldName = 'name' | 'password' | 'repeat';

const blank: Draft = { name: '', password: '', repeat: '', admin: false, disabled: false };

export function UserDetailsDialog(props: {
  target: UserTarget;
  onClose: () => void;
  onSaved: (user: UserDetails) => void;
  /** Focus goes back to the list when the window closes. */
  onClosedFocus?: () => void;
}) {
  const api = useApi();
  const { t } = useTranslation();
  const [opened, setOpened] = useState<UserDetails | null>(null);
  const [draft, setDraft] = useState<Draft | null>(props.target.kind === 'new' ? blank : null);
  const [tab, setTab] = useState('details');
  const [error, setError] = useState<AppError | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [busy, setBusy] = useState(false);
  const isNew = props.target.kind === 'new';
  const userId = props.target.kind === 'existing' ? props.target.userId : null;

  useEffect(() => {
    if (userId === null) return;
    let current = true;
    void api.getUser({ userId }).then((result) => {
      if (!current) return;
      if (!result.ok) return setError(result.error);
      setOpened(result.value);
      setDraft({ name: result.value.name, password: '', repeat: '', admin: result.value.admin, disabled: result.value.disabled });
    });
    return () => {
      current = false;
    };
  }, [api, userId]);

  const dirty =
    draft !== null &&
    (isNew ||
      draft.password !== '' ||
      (opened !== null && (draft.name !== opened.name || draft.admin !== opened.admin || draft.disabled !== opened.disabled)));
  useLeaveWarning(dirty);

  const edit = (change: Partial<Draft>) => {
    setDraft((d) => (d ? { ...d, ...change } : d));
    setFieldErrors((errors) => {
      const next = { ...errors };
      for (const key of Object.keys(change)) delete next[key as FieldName];
      return next;
    });
  };

  const save = async () => {
    if (!draft || busy) return;
    setError(null);
    if (draft.password !== draft.repeat) {
      setTab('details');
      return setFieldErrors({ repeat: t('users:passwords-differ') });
    }
    setBusy(true);
    const result = await api.saveUser({
      userId,
      name: draft.name,
      ...(draft.password !== '' ? { password: draft.password } : {}),
      admin: draft.admin,
      disabled: draft.disabled,
    });
    setBusy(false);
    if (result.ok) return props.onSaved(result.value);
    const failure = result.error;
    if (failure.code === 'user_name_taken') {
      setTab('details');
      return setFieldErrors({ name: errorText(t, failure) });
    }
    const issues = (failure.data as { issues?: { field?: string; message?: string; rule?: string; limit?: number }[] } | undefined)?.issues;
    if (failure.code === 'validation_failed' && Array.isArray(issues)) {
      const placed: Partial<Record<FieldName, string>> = {};
      for (const issue of issues) {
        if ((issue.field === 'name' || issue.field === 'password') && issue.message)
          placed[issue.field] ??= fieldProblem(t, issue.field, issue.message, issue);
      }
      if (Object.keys(placed).length > 0) {
        setTab('details');
        return setFieldErrors(placed);
      }
    }
    setError(failure);
  };

  const isYou = opened?.isYou ?? false;
  const title = isNew ? t('users:new') : t('users:edit');

  return (
    <ModalWindow className="dialog-user" onClose={props.onClose} onClosedFocus={props.onClosedFocus}>
      <Dialog.Title className="dialog-title">{title}</Dialog.Title>
      <Dialog.Description className="visually-hidden">{t('users:description')}</Dialog.Description>
      {!draft ? <ErrorLine error={error} /> : null}
      {!draft && !error ? <p className="loading">{t('users:loading-user')}</p> : null}
      {draft ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <Tabs
            label={t('users:tabs')}
            current={tab}
            onChange={setTab}
            tabs={[
              {
                key: 'details',
                label: t('users:tab.details'),
                content: (
                  <>
                    <Field label={t('field.user-name')} error={fieldErrors.name}>
                      <input
                        type="text"
                        autoFocus
                        autoComplete="off"
                        value={draft.name}
                        maxLength={limits.userName}
                        onChange={(e) => edit({ name: e.target.value })}
                      />
                    </Field>
                    <Field label={t('field.password')} error={fieldErrors.password}>
                      <input
                        type="password"
                        autoComplete="new-password"
                        value={draft.password}
                        maxLength={limits.userPassword}
                        placeholder={isNew ? t('users:password-min', { count: limits.userPasswordMin }) : t('users:password-new')}
                        onChange={(e) => edit({ password: e.target.value })}
                      />
                    </Field>
                    <Field label={t('field.confirm-password')} error={fieldErrors.repeat}>
                      <input
                        type="password"
                        autoComplete="new-password"
                        value={draft.repeat}
                        maxLength={limits.userPassword}
                        onChange={(e) => edit({ repeat: e.target.value })}
                      />
                    </Field>
                    <label className="check">
                      <input type="checkbox" checked={draft.disabled} disabled={isYou} onChange={(e) => edit({ disabled: e.target.checked })} />
                      {t('users:disabled-cannot-log-in')}
                    </label>
                    {isYou ? <p className="hint">{t('users:cannot-disable-self')}</p> : null}
                  </>
                ),
              },
              {
                key: 'permissions',
                label: t('users:tab.permissions'),
                content: (
                  <div className="permission">
                    <label className="check">
                      <input
                        type="checkbox"
                        checked={draft.admin}
                        disabled={isYou}
                        aria-describedby="admin-permission-hint"
                        onChange={(e) => edit({ admin: e.target.checked })}
                      />
                      {t('users:admin')}
                    </label>
                    <p id="admin-permission-hint" className="hint">
                      {t('users:admin-hint')}
                      {isYou ? ` ${t('users:admin-self')}` : ''}
                    </p>
                  </div>
                ),
              },
            ]}
          />
          <ErrorLine error={error} />
          <div className="dialog-buttons">
            <span className="spacer" />
            <button type="button" className="button" onClick={props.onClose}>
              {t('button.cancel')}
            </button>
            <button type="submit" className="button button-primary" disabled={busy}>
              {t('button.ok')}
            </button>
          </div>
        </form>
      ) : null}
    </ModalWindow>
  );
}
