/**
 * A run's progress, step by step (push, central integrates, pull central data, pull this site's
 * queue): each with its state and records done of total, so a long run reads as "still syncing".
 */
import type { SyncStepProgress } from '../../shared/contract';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { number } from '../i18n/format';

function figures(t: TFunction, step: SyncStepProgress): string {
  if (step.state === 'waiting') return t('sync:step.waiting');
  const counted =
    step.total > 0
      ? t('sync:step.of', { done: number(step.done), total: number(step.total) })
      : step.state === 'done'
        ? t('sync:step.nothing')
        : t('sync:step.starting');
  return step.state === 'done' ? t('sync:step.done', { counted }) : counted;
}

export function SyncProgressSteps(props: { steps: readonly SyncStepProgress[] }) {
  const { t } = useTranslation();
  return (
    <ol className="sync-steps" aria-label={t('sync:steps')}>
      {props.steps.map((step) => (
        <li key={step.step} className={`sync-step ${step.state}`} aria-current={step.state === 'running' ? 'step' : undefined}>
          <span className="sync-step-name">{t(`sync:step.${step.step}`)}</span>
          <progress
            aria-label={t(`sync:step.${step.step}`)}
            value={step.state === 'done' ? 1 : step.total > 0 ? step.done : step.state === 'waiting' ? 0 : undefined}
            max={step.state === 'done' ? 1 : step.total > 0 ? step.total : 1}
          />
          <span className="sync-step-figures">{figures(t, step)}</span>
        </li>
      ))}
    </ol>
  );
}
