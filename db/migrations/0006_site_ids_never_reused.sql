-- Site IDs are never reused: the highest site ID ever allocated is kept in the settings (as JSON),
-- and a new site gets the next one even after the highest site was deleted. Datafiles made before
-- this migration start from the highest ID they still know of (their sites and the site audit log,
-- which remembers deleted sites).
INSERT INTO `setting` (`key`, `value`)
SELECT 'highest_site_id', max(coalesce((SELECT max(`id`) FROM `site`), 0), coalesce((SELECT max(`site_id`) FROM `site_audit`), 0))
WHERE true
ON CONFLICT(`key`) DO NOTHING;
