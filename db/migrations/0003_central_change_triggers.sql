-- The central change log is written by triggers, so every path that changes a site or a store
-- (site service, setup, the authenticator's type update, future code) is logged in the same
-- transaction. Only the fields remote sites need: never the password hash or the hardware ID.
CREATE TRIGGER `central_change_site_insert` AFTER INSERT ON `site` BEGIN
  INSERT INTO `central_change` (`table_name`, `record_id`, `action`, `data`)
  VALUES ('site', NEW.`id`, 'insert', json_object('id', NEW.`id`, 'uuid', NEW.`uuid`, 'code', NEW.`code`, 'name', NEW.`name`,
    'type', NEW.`type`, 'isCentral', NEW.`is_central`));
END;
--> statement-breakpoint
CREATE TRIGGER `central_change_site_update` AFTER UPDATE OF `uuid`, `code`, `name`, `type`, `is_central` ON `site`
WHEN OLD.`uuid` IS NOT NEW.`uuid` OR OLD.`code` IS NOT NEW.`code` OR OLD.`name` IS NOT NEW.`name`
  OR OLD.`type` IS NOT NEW.`type` OR OLD.`is_central` IS NOT NEW.`is_central` BEGIN
  INSERT INTO `central_change` (`table_name`, `record_id`, `action`, `data`)
  VALUES ('site', NEW.`id`, 'update', json_object('id', NEW.`id`, 'uuid', NEW.`uuid`, 'code', NEW.`code`, 'name', NEW.`name`,
    'type', NEW.`type`, 'isCentral', NEW.`is_central`));
END;
--> statement-breakpoint
CREATE TRIGGER `central_change_site_delete` AFTER DELETE ON `site` BEGIN
  INSERT INTO `central_change` (`table_name`, `record_id`, `action`, `data`) VALUES ('site', OLD.`id`, 'delete', NULL);
END;
--> statement-breakpoint
CREATE TRIGGER `central_change_store_insert` AFTER INSERT ON `store` BEGIN
  INSERT INTO `central_change` (`table_name`, `record_id`, `action`, `data`)
  VALUES ('store', NEW.`id`, 'insert', json_object('id', NEW.`id`, 'uuid', NEW.`uuid`, 'code', NEW.`code`, 'name', NEW.`name`,
    'siteId', NEW.`site_id`));
END;
--> statement-breakpoint
CREATE TRIGGER `central_change_store_update` AFTER UPDATE OF `uuid`, `code`, `name`, `site_id` ON `store`
WHEN OLD.`uuid` IS NOT NEW.`uuid` OR OLD.`code` IS NOT NEW.`code` OR OLD.`name` IS NOT NEW.`name`
  OR OLD.`site_id` IS NOT NEW.`site_id` BEGIN
  INSERT INTO `central_change` (`table_name`, `record_id`, `action`, `data`)
  VALUES ('store', NEW.`id`, 'update', json_object('id', NEW.`id`, 'uuid', NEW.`uuid`, 'code', NEW.`code`, 'name', NEW.`name`,
    'siteId', NEW.`site_id`));
END;
--> statement-breakpoint
CREATE TRIGGER `central_change_store_delete` AFTER DELETE ON `store` BEGIN
  INSERT INTO `central_change` (`table_name`, `record_id`, `action`, `data`) VALUES ('store', OLD.`id`, 'delete', NULL);
END;
--> statement-breakpoint
-- Datafiles created before this migration: their sites and stores enter the log as they stand now.
INSERT INTO `central_change` (`table_name`, `record_id`, `action`, `data`)
SELECT 'site', `id`, 'insert', json_object('id', `id`, 'uuid', `uuid`, 'code', `code`, 'name', `name`, 'type', `type`,
  'isCentral', `is_central`) FROM `site` ORDER BY `id`;
--> statement-breakpoint
INSERT INTO `central_change` (`table_name`, `record_id`, `action`, `data`)
SELECT 'store', `id`, 'insert', json_object('id', `id`, 'uuid', `uuid`, 'code', `code`, 'name', `name`, 'siteId', `site_id`)
FROM `store` ORDER BY `id`;
