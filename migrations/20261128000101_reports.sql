-- "Report a mistake" (🚩): what a person says is wrong on a card, with the exact place in
-- content/ to fix it. No user id unless the person tapped "you may contact me"
-- (contact_user_id); /forget clears it. Closed reports (resolved or spam) are deleted 90 days
-- after closed_at.
CREATE TABLE reports (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The card's deep-link payload (`c-vm`, `a-veseliba`, `l-3`) and its title when reported.
    item            TEXT NOT NULL,
    title           TEXT NOT NULL,
    -- Where the card comes from: `ministries.toml:120`.
    place           TEXT NOT NULL,
    body            TEXT NOT NULL,
    content_hash    TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    contact_user_id INTEGER,
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'spam')),
    closed_at       TEXT
);
CREATE INDEX reports_by_status ON reports (status, id);
CREATE INDEX reports_by_contact ON reports (contact_user_id) WHERE contact_user_id IS NOT NULL;
