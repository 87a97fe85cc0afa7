-- The inbox: updates received from Telegram and not answered yet (see src/store/inbox.rs).
-- A row is written before the update offset is confirmed to Telegram and deleted once the
-- update is answered, or dropped because its chat sent too much at once; rows left after a
-- crash or a stop are answered at the next start. It holds an update only for as long as it
-- waits for its answer (normally milliseconds, at most the length of a chat's backlog).

CREATE TABLE inbox (
    update_id INTEGER PRIMARY KEY,
    body      TEXT NOT NULL      -- the update as Telegram sent it (JSON)
);

-- The offset to poll from after a restart: one more than the highest update written to the
-- inbox. Written by the trigger in the same statement as the updates, so an update can never
-- be in the inbox (or answered and deleted) while the saved offset still points at it. An
-- offset saved more than a day ago is replaced, not raised: Telegram keeps updates for a day,
-- and after a week without updates it may number new ones from a lower value.
CREATE TABLE inbox_offset (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    next     INTEGER NOT NULL,
    saved_at INTEGER NOT NULL    -- unix seconds; 0: never
);
INSERT INTO inbox_offset (id, next, saved_at) VALUES (1, 0, 0);

-- An UPDATE, not an upsert: inside a trigger the outer INSERT OR IGNORE would override the
-- conflict clause of an inner INSERT.
CREATE TRIGGER inbox_saves_the_offset AFTER INSERT ON inbox
BEGIN
    UPDATE inbox_offset
    SET next = CASE WHEN saved_at > unixepoch() - 86400 THEN max(next, NEW.update_id + 1)
                    ELSE NEW.update_id + 1 END,
        saved_at = unixepoch()
    WHERE id = 1;
END;
