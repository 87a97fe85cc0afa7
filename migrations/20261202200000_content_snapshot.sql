-- The content cache becomes one snapshot of the last good content files (see
-- docs/ARCHITECTURE.md, "The content cache is one snapshot of the files"): their text as the
-- reader read them, parsed again by the same reader when the bot starts. The eleven tables
-- that copied the content field by field go; what is queried while the bot runs stays
-- (search, user_prefs, stats_daily, inbox*, reports, bot_username).
CREATE TABLE content_snapshot (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    hash        TEXT NOT NULL,   -- what `check` and /about show, in full
    imported_at TEXT NOT NULL,   -- UTC, YYYY-MM-DDTHH:MM:SSZ
    files       TEXT NOT NULL,   -- JSON: [[shown path, text], ...] in the order they are read
    -- What /healthz reports, counted at import so that a health check never parses the files.
    lessons                 INTEGER NOT NULL,
    sections                INTEGER NOT NULL,
    ministries              INTEGER NOT NULL,
    contacts                INTEGER NOT NULL,
    oldest_contact_verified TEXT,
    contacts_never_verified INTEGER NOT NULL
);

-- Children before the tables they refer to.
DROP TABLE lessons;
DROP TABLE aliases;
DROP TABLE contacts;
DROP TABLE areas;
DROP TABLE ministries;
DROP TABLE sections;
DROP TABLE texts;
DROP TABLE resources;
DROP TABLE ui_strings;
DROP TABLE series;
DROP TABLE content_state;

-- The full-text rows belonged to the dropped copy: the first import after this migration
-- writes them again with the snapshot. Until it succeeds there is no content to serve, so
-- the bot needs valid files in the content folder to start the first time after upgrading.
DELETE FROM search;
