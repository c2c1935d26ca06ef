/**
 * When a site counts as late and as failing (days since its last successful sync): a setting of
 * the central server's datafile, shown under the sites list and changed by an administrator.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SyncThresholds } from '../../shared/contract';
import type { AppError } from '../../shared/errors';
import { useApi } from '../api/api-context';
import { ErrorLine } from './ErrorLine';

export function SyncThresholdsForm(props: { thresholds: SyncThresholds; canEdit: boolean; onSaved: (t: SyncThresholds) => void }) {
  const api = useApi();
  const { t } = useTranslation();
  const [late, setLate] = useState(String(props.thresholds.lateAfterDays));
  const [failing, setFailing] = useState(String(props.thresholds.failingAfterDays));
  const [error, setError] = useState<AppError | string | null>(null);
  const [editing, setEditing] = useState(false);

  // Another administrator's change shows on the next refresh, unless this one is typing.
  useEffect(() => {
    if (editing) return;
    setLate(String(props.thresholds.lateAfterDays));
    setFailing(String(props.thresholds.failingAfterDays));
  }, [props.thresholds, editing]);

  const save = async () => {
    const lateAfterDays = Number(late);
    const failingAfterDays = Number(failing);
    if (late.trim() === '' || failing.trim() === '' || !Number.isFinite(lateAfterDays) || !Number.isFinite(failingAfterDays)) {
      setError(t('sites:thresholds.required'));
      return;
    }
    const result = await api.setSyncThresholds({ lateAfterDays, failingAfterDays });
    if (!result.ok) return setError(result.error);
    setError(null);
    setEditing(false);
    props.onSaved(result.value);
  };

  const edit = (set: (text: string) => void) => (e: React.ChangeEvent<HTMLInputElement>) => {
    setEditing(true);
    set(e.target.value);
  };

  return (
    <div className="thresholds">
      <label htmlFor="late-after">{t('sites:thresholds.late-after')}</label>
      <input id="late-after" type="number" min={0} step="any" value={late} disabled={!props.canEdit} onChange={edit(setLate)} />
      <label htmlFor="failing-after">{t('sites:thresholds.failing-after')}</label>
      <input id="failing-after" type="number" min={0} step="any" value={failing} disabled={!props.canEdit} onChange={edit(setFailing)} />
      <span>{t('sites:thresholds.days-without')}</span>
      {props.canEdit ? (
        <button type="button" className="button" disabled={!editing} onClick={() => void save()}>
          {t('button.set')}
        </button>
      ) : null}
      <ErrorLine error={error} />
    </div>
  );
}
