ALTER TABLE `sync_out` ADD `stream_after` integer;--> statement-breakpoint
ALTER TABLE `sync_out` ADD `stream_handed` integer;