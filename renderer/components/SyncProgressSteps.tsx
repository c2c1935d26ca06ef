/**
 * A run's progress, step by step (push, central integrates, pull central data, pull this site's
 * queue): each with its state and records done of total, so a long run reads as "still syncing".
 */
import type { SyncStepProgress } from '../../shared/contract';
import { stepNames } from './sync-words';

function figures(step: SyncStepProgress): string {
  if (step.state === 'waiting') return 'waiting';
  const counted = step.total > 0 ? `${step.done} of ${step.total}` : step.state === 'done' ? 'nothing to do' : 'starting…';
  return step.state === 'done' ? `done (${counted})` : counted;
}

export function SyncProgressSteps(props: { steps: readonly SyncStepProgress[] }) {
  return (
    <ol className="sync-steps" aria-label="Sync steps">
      {props.steps.map((step) => (
        <li key={step.step} className={`sync-step ${step.state}`} aria-current={step.state === 'running' ? 'step' : undefined}>
          <span className="sync-step-name">{stepNames[step.step]}</span>
          <progress
            aria-label={stepNames[step.step]}
            value={step.state === 'done' ? 1 : step.total > 0 ? step.done : step.state === 'waiting' ? 0 : undefined}
            max={step.state === 'done' ? 1 : step.total > 0 ? step.total : 1}
          />
          <span className="sync-step-figures">{figures(step)}</span>
        </li>
      ))}
    </ol>
  );
}
