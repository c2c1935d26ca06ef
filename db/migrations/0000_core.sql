CREATE TABLE `setting` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `site` (
	`id` integer PRIMARY KEY NOT NULL,
	`uuid` text NOT NULL,
	`code` text NOT NULL,
	`name` text NOT NULL,
	`name_key` text NOT NULL,
	`password_hash` text,
	`hardware_id` text DEFAULT '' NOT NULL,
	`type` text DEFAULT 'standalone' NOT NULL,
	`use_js_node_http_client` integer DEFAULT false NOT NULL,
	`is_central` integer DEFAULT false NOT NULL,
	`app_name` text,
	`app_version` text,
	`sync_version` integer,
	`first_connected_at` text,
	`last_connected_at` text,
	`last_synced_at` text,
	`initialisation_status` text DEFAULT 'new' NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	CONSTRAINT "site_type_check" CHECK("site"."type" in ('standalone', 'mobile'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `site_uuid_unique` ON `site` (`uuid`);--> statement-breakpoint
CREATE UNIQUE INDEX `site_name_key_unique` ON `site` (`name_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `site_one_central` ON `site` (`is_central`) WHERE "site"."is_central" = 1;--> statement-breakpoint
CREATE INDEX `site_name_idx` ON `site` (`name`);--> statement-breakpoint
CREATE TABLE `store` (
	`id` integer PRIMARY KEY NOT NULL,
	`uuid` text NOT NULL,
	`code` text NOT NULL,
	`name` text NOT NULL,
	`site_id` integer NOT NULL,
	FOREIGN KEY (`site_id`) REFERENCES `site`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE UNIQUE INDEX `store_uuid_unique` ON `store` (`uuid`);--> statement-breakpoint
CREATE UNIQUE INDEX `store_code_unique` ON `store` (`code`);--> statement-breakpoint
CREATE INDEX `store_site_idx` ON `store` (`site_id`);--> statement-breakpoint
CREATE TABLE `store_record` (
	`id` text PRIMARY KEY NOT NULL,
	`store_id` integer NOT NULL,
	`item_code` text NOT NULL,
	`item_name` text NOT NULL,
	`quantity` real DEFAULT 0 NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`store_id`) REFERENCES `store`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE INDEX `store_record_store_idx` ON `store_record` (`store_id`);--> statement-breakpoint
CREATE TABLE `sync_out` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`site_id` integer NOT NULL,
	`store_id` integer,
	`table_name` text NOT NULL,
	`record_id` text NOT NULL,
	`action` text NOT NULL,
	`data` text,
	`sequence` integer NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`site_id`) REFERENCES `site`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "sync_out_action_check" CHECK("sync_out"."action" in ('insert', 'update', 'delete', 'merge'))
);
--> statement-breakpoint
CREATE INDEX `sync_out_site_sequence_idx` ON `sync_out` (`site_id`,`sequence`);--> statement-breakpoint
CREATE TABLE `user` (
	`id` integer PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`name_key` text NOT NULL,
	`password_hash` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `user_name_key_unique` ON `user` (`name_key`);--> statement-breakpoint
CREATE TABLE `user_permission` (
	`user_id` integer NOT NULL,
	`permission` text NOT NULL,
	PRIMARY KEY(`user_id`, `permission`),
	FOREIGN KEY (`user_id`) REFERENCES `user`(`id`) ON UPDATE no action ON DELETE cascade
);
