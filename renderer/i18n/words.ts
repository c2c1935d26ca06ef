/**
 * Errors and confirmations from the datafile, in the window's language. They travel as codes with
 * data (shared/errors.ts, the contract's confirmations); the English sentence that travels with
 * them is the English wording (it may name a URL or a site), so English shows it as sent and every
 * other language words the code with its data.
 */
import type { TFunction } from 'i18next';
import type { Confirmation } from '../../shared/contract';
import type { AppError } from '../../shared/errors';
import { fieldRules } from '../../shared/validate';
import { i18n } from './index';

const isEnglish = () => i18n.language === 'en';

interface Issue {
  field: string;
  message: string;
  rule?: string;
  limit?: number;
  data?: Record<string, unknown>;
}

function issuesOf(error: AppError): Issue[] {
  const issues = (error.data as { issues?: unknown } | undefined)?.issues;
  return Array.isArray(issues) ? (issues as Issue[]).filter((i) => typeof i?.field === 'string') : [];
}

const limitRules = new Set(['too_long', 'too_short', 'too_big', 'too_small']);
/** The other rules shared/validate.ts names, each worded with its facts (`errors:rule.<rule>`). */
const otherRules = new Set<string>(fieldRules.filter((rule) => !limitRules.has(rule)));

/** "latin et cyrillique": the alphabets' ISO 15924 codes named in the window's language. */
function alphabetNames(codes: unknown): string {
  const language = i18n.language;
  const list = typeof codes === 'string' ? codes.split(',').filter(Boolean) : [];
  try {
    const names = new Intl.DisplayNames([language], { type: 'script' });
    return new Intl.ListFormat([language], { type: 'conjunction' }).format(list.map((code) => names.of(code) ?? code));
  } catch {
    return list.join(', ');
  }
}

/**
 * One field's problem: as sent in English; otherwise the rule it broke with its limit or facts ("at
 * most 80 characters", "it has U+200B at position 5"), else what the field accepts, in the window's language.
 */
export function fieldProblem(t: TFunction, field: string, english: string, issue?: Pick<Issue, 'rule' | 'limit' | 'data'>): string {
  if (isEnglish()) return english;
  if (issue?.rule && limitRules.has(issue.rule) && typeof issue.limit === 'number') {
    return t(`errors:rule.${issue.rule}`, { count: issue.limit });
  }
  if (issue?.rule && otherRules.has(issue.rule)) {
    const data = issue.data ?? {};
    return t(`errors:rule.${issue.rule}`, { ...data, alphabets: alphabetNames(data.scripts) });
  }
  const top = field.split('.')[0] ?? '';
  return t(`errors:field.${top}`, { defaultValue: t('errors:field.other') });
}

export function errorText(t: TFunction, error: AppError | string): string {
  if (typeof error === 'string') return error;
  if (isEnglish()) return error.message;
  if (error.code === 'validation_failed') {
    const first = issuesOf(error)[0];
    if (first) return fieldProblem(t, first.field, first.message, first);
  }
  const data = typeof error.data === 'object' && error.data !== null ? (error.data as Record<string, unknown>) : {};
  return t(`errors:${error.code}`, data);
}

export function confirmationText(t: TFunction, confirmation: Confirmation): string {
  if (isEnglish() && confirmation.message) return confirmation.message;
  return t(`errors:confirm.${confirmation.kind}`, { ...confirmation.data, count: confirmation.data?.count ?? 1 });
}
