/**
 * Dates, times, numbers and durations in the language of the window, with Intl. Each takes the
 * language from the i18n instance, so a window re-renders in the new words and formats together.
 */
import { i18n } from './index';

const locale = () => i18n.language || 'en';

/** The parts Date.toLocaleString shows: 28/11/2026 09:30:00 in French, 11/28/2026, 9:30:00 AM in English. */
const dateAndTime: Intl.DateTimeFormatOptions = {
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  second: '2-digit',
};

export function dateTime(iso: string, options: Intl.DateTimeFormatOptions = dateAndTime): string {
  return new Intl.DateTimeFormat(locale(), options).format(new Date(iso));
}

export function time(iso: string): string {
  return new Intl.DateTimeFormat(locale(), { timeStyle: 'medium' }).format(new Date(iso));
}

export function number(n: number): string {
  return new Intl.NumberFormat(locale()).format(n);
}

/** "12 min ago", "il y a 5 h": what a glance needs (the exact time goes in a tooltip). */
export function ago(iso: string, now = Date.now()): string {
  const minutes = Math.floor((now - Date.parse(iso)) / 60_000);
  if (minutes < 1) return i18n.t('common:time.just-now');
  if (minutes < 60) return i18n.t('common:time.minutes-ago', { count: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return i18n.t('common:time.hours-ago', { count: hours });
  return i18n.t('common:time.days-ago', { count: Math.floor(hours / 24) });
}

/** "42 s", "3 min 5 s", "1 h 20 min". */
export function duration(seconds: number): string {
  if (seconds < 60) return i18n.t('common:time.seconds', { count: seconds });
  const minutes = Math.floor(seconds / 60);
  return minutes < 60
    ? i18n.t('common:time.minutes-seconds', { minutes, seconds: seconds % 60 })
    : i18n.t('common:time.hours-minutes', { hours: Math.floor(minutes / 60), minutes: minutes % 60 });
}
