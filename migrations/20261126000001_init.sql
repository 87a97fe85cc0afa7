-- Content tables are a cache of content/: import replaces them in one transaction.
-- user_prefs is the only table with a Telegram user id, and it holds nothing else but the
-- chosen language.

CREATE TABLE content_state (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    hash         TEXT NOT NULL,
    imported_at  TEXT NOT NULL,
    content_date TEXT NOT NULL,
    source_url   TEXT NOT NULL,
    source_lv    TEXT NOT NULL,
    source_en    TEXT NOT NULL,
    about_lv     TEXT NOT NULL,
    about_en     TEXT NOT NULL,
    fallback     TEXT NOT NULL
);

CREATE TABLE series (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    name          TEXT NOT NULL,
    lecturer      TEXT NOT NULL,
    guests        TEXT NOT NULL,   -- one name a line
    about_lv      TEXT NOT NULL,
    about_en      TEXT NOT NULL,
    recordings_lv TEXT NOT NULL,
    recordings_en TEXT NOT NULL,
    sources       TEXT NOT NULL    -- one URL a line
);

CREATE TABLE ministries (
    id                 TEXT PRIMARY KEY,
    position           INTEGER NOT NULL,
    abbr               TEXT NOT NULL,
    name_lv            TEXT NOT NULL,
    name_en            TEXT NOT NULL,
    website            TEXT,
    participation_page TEXT,
    note_lv            TEXT,
    note_en            TEXT,
    sources            TEXT NOT NULL
);

CREATE TABLE areas (
    id          TEXT PRIMARY KEY,
    ministry_id TEXT NOT NULL REFERENCES ministries(id),
    position    INTEGER NOT NULL,
    name_lv     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    note_lv     TEXT,
    note_en     TEXT
);
CREATE INDEX areas_by_ministry ON areas (ministry_id, position);

-- Lookup names: ministry and area names, abbreviations and aliases, as written in content/.
CREATE TABLE aliases (
    alias       TEXT NOT NULL,
    ministry_id TEXT NOT NULL REFERENCES ministries(id),
    area_id     TEXT REFERENCES areas(id),
    is_abbr     INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE contacts (
    ministry_id TEXT NOT NULL REFERENCES ministries(id),
    position    INTEGER NOT NULL,
    name        TEXT,
    unit_lv     TEXT,
    unit_en     TEXT,
    role_lv     TEXT,
    role_en     TEXT,
    email       TEXT,
    phone       TEXT,
    address     TEXT,
    source      TEXT NOT NULL,
    checked     TEXT NOT NULL,
    PRIMARY KEY (ministry_id, position)
);

CREATE TABLE lessons (
    number    INTEGER PRIMARY KEY,
    area_id   TEXT NOT NULL REFERENCES areas(id),
    title_lv  TEXT NOT NULL,
    title_en  TEXT NOT NULL,
    learn_lv  TEXT NOT NULL,
    learn_en  TEXT NOT NULL,
    date      TEXT,
    guest     TEXT,
    video     TEXT,
    sources   TEXT NOT NULL
);

-- Titled texts: guideline sections (kind 'section') and specialists advice (kind 'tip').
CREATE TABLE sections (
    kind     TEXT NOT NULL,
    id       TEXT NOT NULL,
    position INTEGER NOT NULL,
    title_lv TEXT NOT NULL,
    title_en TEXT NOT NULL,
    body_lv  TEXT NOT NULL,
    body_en  TEXT NOT NULL,
    sources  TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);

-- Single texts by key ('guidelines.title', 'guidelines.intro', 'specialists.title', ...).
CREATE TABLE texts (
    key     TEXT PRIMARY KEY,
    lv      TEXT NOT NULL,
    en      TEXT NOT NULL,
    sources TEXT NOT NULL DEFAULT ''
);

CREATE TABLE resources (
    id             TEXT PRIMARY KEY,
    position       INTEGER NOT NULL,
    title_lv       TEXT NOT NULL,
    title_en       TEXT NOT NULL,
    description_lv TEXT NOT NULL,
    description_en TEXT NOT NULL,
    url            TEXT NOT NULL,
    sources        TEXT NOT NULL
);

CREATE TABLE ui_strings (
    key TEXT PRIMARY KEY,
    lv  TEXT NOT NULL,
    en  TEXT NOT NULL
);

CREATE TABLE user_prefs (
    user_id  INTEGER PRIMARY KEY,
    language TEXT NOT NULL CHECK (language IN ('lv', 'en'))
);
