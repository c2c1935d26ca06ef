-- Stock lines kept by store, then line id: WITHOUT ROWID, primary key (store_id, id), and a line's
-- id unique on its own (db/schema.ts says why; drizzle cannot say WITHOUT ROWID, so this file does).
-- The (store_id, id) index is the primary key now. Nothing refers to store_record, and every line
-- already names a store that exists, so the copy keeps every line as it was.
CREATE TABLE `__new_store_record` (
	`id` text NOT NULL,
	`store_id` integer NOT NULL,
	`item_code` text NOT NULL,
	`item_name` text NOT NULL,
	`quantity` real DEFAULT 0 NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`changed_by_site_id` integer,
	PRIMARY KEY(`store_id`, `id`),
	FOREIGN KEY (`store_id`) REFERENCES `store`(`id`) ON UPDATE no action ON DELETE restrict
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_store_record`("id", "store_id", "item_code", "item_name", "quantity", "updated_at", "version", "changed_by_site_id") SELECT "id", "store_id", "item_code", "item_name", "quantity", "updated_at", "version", "changed_by_site_id" FROM `store_record` ORDER BY "store_id", "id";--> statement-breakpoint
DROP TABLE `store_record`;--> statement-breakpoint
ALTER TABLE `__new_store_record` RENAME TO `store_record`;--> statement-breakpoint
CREATE UNIQUE INDEX `store_record_id_unique` ON `store_record` (`id`);
