/**
 * Automatic sync of a remote site every N minutes (the sync interval setting; 0 pauses it). Lives
 * in main without electron: whoever hosts the core (the desktop app, a headless remote) calls
 * start() and stop(). The interval counts from the end of the last run, manual ones included, so
 * a Sync now does not pile a scheduled run on top of itself.
 */
import type { RemoteStoreSync } from './remote-store-sync';

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
    private readonly sync: RemoteStoreSync,
    private readonly options: SyncSchedulerOptions = {},
  ) {}

  get isStarted(): boolean {
    return this.started;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.sync.events.on('runFinished', this.reschedule);
    this.sync.events.on('intervalChanged', this.reschedule);
    this.schedule(this.options.firstRunDelayMs ?? 5_000);
  }

  stop(): void {
    this.started = false;
    this.sync.events.off('runFinished', this.reschedule);
    this.sync.events.off('intervalChanged', this.reschedule);
    this.clear();
  }

  /** Sync soon (after Enabling sync, for example), unless sync is paused. */
  poke(): void {
    if (this.started) this.schedule(this.options.firstRunDelayMs ?? 5_000);
  }

  private clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.sync.nextRunAt = null;
  }

  private schedule(delayMs?: number): void {
    this.clear();
    if (!this.started) return;
    const minutes = this.sync.intervalMinutes();
    if (minutes === 0) return;
    const delay = delayMs ?? minutes * 60_000;
    this.sync.nextRunAt = new Date(Date.now() + delay);
    this.timer = setTimeout(() => void this.tick(), delay);
    // A pending sync never keeps a process alive on its own.
    this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    this.timer = null;
    const status = this.sync.status();
    if (!status.configured || status.isCentralServer || status.running) return this.schedule();
    try {
      // runFinished reschedules.
      await this.sync.syncNow();
    } catch (error) {
      this.options.logError?.(error);
      this.schedule();
    }
  }
}
