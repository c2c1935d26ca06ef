/**
 * Automatic sync of a remote site every N minutes (the sync interval setting; 0 pauses it).
 * Whoever hosts the core (the desktop app, a headless remote) calls start() and stop(). The
 * interval counts from the end of the last run, manual ones included, so a Sync now does not pile
 * a scheduled run on top of itself.
 */
import type { SyncRunner } from './sync-runner';

export interface SyncSchedulerOptions {
  /** Delay of the first run after start() or poke(), so opening a datafile stays quick. */
  firstRunDelayMs?: number;
  logError?: (error: unknown) => void;
}

export class SyncScheduler {
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  private readonly reschedule = () => this.schedule();

  constructor(
    private readonly runner: SyncRunner,
    private readonly options: SyncSchedulerOptions = {},
  ) {}

  start(): void {
    if (this.started) return;
    this.started = true;
    this.runner.events.on('runFinished', this.reschedule);
    this.runner.events.on('intervalChanged', this.reschedule);
    this.schedule(this.options.firstRunDelayMs ?? 5_000);
  }

  stop(): void {
    this.started = false;
    this.runner.events.off('runFinished', this.reschedule);
    this.runner.events.off('intervalChanged', this.reschedule);
    this.clear();
  }

  /** Sync soon (after Enabling sync, for example), unless sync is paused. */
  poke(): void {
    if (this.started) this.schedule(this.options.firstRunDelayMs ?? 5_000);
  }

  private clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.runner.nextRunAt = null;
  }

  private schedule(delayMs?: number): void {
    this.clear();
    if (!this.started) return;
    const minutes = this.runner.intervalMinutes();
    if (minutes === 0) return;
    const delay = delayMs ?? minutes * 60_000;
    this.runner.nextRunAt = new Date(Date.now() + delay);
    this.timer = setTimeout(() => void this.tick(), delay);
    // A pending sync never keeps a process alive on its own.
    this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    this.timer = null;
    const status = this.runner.status();
    if (!status.configured || status.isCentralServer || status.running) return this.schedule();
    try {
      // runFinished reschedules.
      await this.runner.syncNow();
    } catch (error) {
      this.options.logError?.(error);
      this.schedule();
    }
  }
}
