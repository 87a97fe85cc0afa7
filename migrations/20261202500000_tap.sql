-- The TAP portal's public consultations as last read (src/tap/), the state of reading it, and
-- what chats follow. The consultations are public records of the portal; a follow holds a chat
-- id and what it follows, nothing else.

-- One consultation, as the listing and (where it could be read) its own page show it.
CREATE TABLE tap_items (
    -- TAP's id: the last part of the consultation's URL.
    id TEXT PRIMARY KEY NOT NULL,
    url TEXT NOT NULL,
    -- "Projekta ID/ Uzdevuma numurs", e.g. 26-TA-2228.
    number TEXT NOT NULL,
    title TEXT NOT NULL,
    -- "Līdzdalības veids".
    kind TEXT NOT NULL,
    -- "Termiņš": first and last day, YYYY-MM-DD.
    starts TEXT NOT NULL,
    ends TEXT NOT NULL,
    -- "Atbildīgā ministrija" as TAP writes it, and the content's ministry of that name.
    ministry_name TEXT NOT NULL,
    ministry_id TEXT,
    -- What the listing showed, hashed: a new hash means the consultation changed.
    listing_hash TEXT NOT NULL,
    -- Its own page: pending (not read yet), ok (every field), partial (some), unreadable (not
    -- taken), failed (could not be fetched; read again at the next sync).
    detail TEXT NOT NULL DEFAULT 'pending'
        CHECK (detail IN ('pending', 'ok', 'partial', 'unreadable', 'failed')),
    detail_at INTEGER,
    -- "Norises laiks", "Sagatavoja", "Atbildīgā persona", "Izsludināšanas datums".
    held_from TEXT,
    held_to TEXT,
    prepared_by TEXT,
    responsible_person TEXT,
    announced_at TEXT,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    -- Left the listing before its period ended (withdrawn): no longer open.
    gone_at INTEGER,
    -- Its end was reported once.
    ended_reported INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE INDEX tap_items_ends ON tap_items (ends);
CREATE INDEX tap_items_ministry ON tap_items (ministry_id);

-- "Politikas jomas" as TAP writes them, in the page's order.
CREATE TABLE tap_item_policy_areas (
    item_id TEXT NOT NULL REFERENCES tap_items (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (item_id, position)
) WITHOUT ROWID;

-- The content's areas those policy areas agree with (content/tap.toml).
CREATE TABLE tap_item_areas (
    item_id TEXT NOT NULL REFERENCES tap_items (id) ON DELETE CASCADE,
    area_id TEXT NOT NULL,
    PRIMARY KEY (item_id, area_id)
) WITHOUT ROWID;

CREATE INDEX tap_item_areas_area ON tap_item_areas (area_id);

-- How reading TAP went (one row). Times are Unix seconds.
CREATE TABLE tap_status (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_attempt INTEGER,
    last_success INTEGER,
    last_error TEXT,
    last_error_kind TEXT,
    last_error_at INTEGER,
    -- Requests the last sync made.
    last_requests INTEGER
);

-- What a chat follows: a ministry or an area of the content, by id.
CREATE TABLE tap_follows (
    chat_id INTEGER NOT NULL,
    target TEXT NOT NULL CHECK (target IN ('ministry', 'area')),
    target_id TEXT NOT NULL,
    PRIMARY KEY (chat_id, target, target_id)
) WITHOUT ROWID;

CREATE INDEX tap_follows_target ON tap_follows (target, target_id);
