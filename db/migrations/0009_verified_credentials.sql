CREATE TABLE `site_verified_credential` (
	`site_id` integer PRIMARY KEY NOT NULL,
	`tag` text NOT NULL,
	FOREIGN KEY (`site_id`) REFERENCES `site`(`id`) ON UPDATE no action ON DELETE cascade
);
