-- Content schema v2 (see the README, "Editing the content"):
-- - a contact has a `kind` ('ngo': designated for cooperation with NGOs; 'general': the
--   ministry's general contact), the date its source page shows (`source_date`) and the day a
--   person verified it (`verified`); both dates are optional. The old `checked` (the day the
--   file was written, which was not a verification) is gone.
-- - an area has its own `sources`;
-- - every record knows the file and line it is written on.
ALTER TABLE contacts DROP COLUMN checked;
ALTER TABLE contacts ADD COLUMN kind TEXT NOT NULL DEFAULT 'ngo' CHECK (kind IN ('ngo', 'general'));
ALTER TABLE contacts ADD COLUMN source_date TEXT;
ALTER TABLE contacts ADD COLUMN verified TEXT;
ALTER TABLE contacts ADD COLUMN file TEXT NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN line INTEGER NOT NULL DEFAULT 0;

ALTER TABLE areas ADD COLUMN sources TEXT NOT NULL DEFAULT '';   -- one URL a line
ALTER TABLE areas ADD COLUMN file TEXT NOT NULL DEFAULT '';
ALTER TABLE areas ADD COLUMN line INTEGER NOT NULL DEFAULT 0;

ALTER TABLE ministries ADD COLUMN file TEXT NOT NULL DEFAULT '';
ALTER TABLE ministries ADD COLUMN line INTEGER NOT NULL DEFAULT 0;

ALTER TABLE lessons ADD COLUMN file TEXT NOT NULL DEFAULT '';
ALTER TABLE lessons ADD COLUMN line INTEGER NOT NULL DEFAULT 0;

ALTER TABLE sections ADD COLUMN file TEXT NOT NULL DEFAULT '';
ALTER TABLE sections ADD COLUMN line INTEGER NOT NULL DEFAULT 0;

ALTER TABLE resources ADD COLUMN file TEXT NOT NULL DEFAULT '';
ALTER TABLE resources ADD COLUMN line INTEGER NOT NULL DEFAULT 0;

-- The cached rows were written without these values: forget the hash so that the next sync
-- imports the files again. Until it succeeds, the old content keeps being served as it was.
UPDATE content_state SET hash = '';
