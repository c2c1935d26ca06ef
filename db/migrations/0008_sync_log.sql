CREATE TABLE `sync_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`started_at` text NOT NULL,
	`ended_at` text,
	`outcome` text DEFAULT 'running' NOT NULL,
	`pushed` integer DEFAULT 0 NOT NULL,
	`pulled` integer DEFAULT 0 NOT NULL,
	`error` text,
	`error_code` text
);
--> statement-breakpoint
CREATE INDEX `sync_log_started_idx` ON `sync_log` (`started_at`);