-- A store's lines are streamed to a site in line id order, no longer by rowid: a site then writes
-- each batch into one stretch of its indexes. A stream under way when this runs starts again from
-- its "drop what you hold" entry (its rowid position means nothing in id order), so the site gets
-- the whole store afresh.
DROP INDEX `store_record_store_idx`;--> statement-breakpoint
CREATE INDEX `store_record_store_id_idx` ON `store_record` (`store_id`,`id`);--> statement-breakpoint
ALTER TABLE `sync_out` ADD `stream_after_id` text;--> statement-breakpoint
ALTER TABLE `sync_out` ADD `stream_handed_id` text;--> statement-breakpoint
ALTER TABLE `sync_out` DROP COLUMN `stream_after`;--> statement-breakpoint
ALTER TABLE `sync_out` DROP COLUMN `stream_handed`;
