CREATE TABLE `site_push_seen` (
	`site_id` integer NOT NULL,
	`sync_out_id` integer NOT NULL,
	`fingerprint` text NOT NULL,
	`refusal` text,
	PRIMARY KEY(`site_id`, `sync_out_id`),
	FOREIGN KEY (`site_id`) REFERENCES `site`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `remote_out` ADD `base_version` integer;--> statement-breakpoint
ALTER TABLE `remote_out` ADD `base_changed_by` integer;--> statement-breakpoint
ALTER TABLE `remote_out` ADD `sent_at` text;--> statement-breakpoint
ALTER TABLE `remote_out` ADD `refused_code` text;--> statement-breakpoint
ALTER TABLE `remote_out` ADD `pushed_as` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `remote_out_pushed_as_unique` ON `remote_out` (`pushed_as`);--> statement-breakpoint
ALTER TABLE `site_push_state` ADD `instance_id` text;--> statement-breakpoint
ALTER TABLE `store_record` ADD `version` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `store_record` ADD `changed_by_site_id` integer;