-- The inbox: updates received from Telegram and not answered yet (see src/store/inbox.rs).
-- A batch (one getUpdates answer, or one webhook request) is written as one row before the
-- update offset is confirmed to Telegram. Each update that is answered (or dropped because its
-- chat sent too much at once) is marked in inbox_done, in batches; a batch whose updates are
-- all done is deleted with its marks. At start, every update of a remaining batch that is not
-- marked done is answered. An update is kept only for as long as it waits for its answer.

CREATE TABLE inbox (
    first_id INTEGER PRIMARY KEY,   -- the lowest update id in the batch
    last_id  INTEGER NOT NULL,      -- the highest
    updates  TEXT NOT NULL          -- the updates as Telegram sent them: a JSON array
);

CREATE TABLE inbox_done (
    update_id INTEGER PRIMARY KEY
);

-- A negative id -first_id written to inbox_done finishes that batch: the batch and its marks
-- are deleted and the marker itself is not stored. Marking updates done and deleting the
-- finished batches are thus one statement (update ids are positive).
CREATE TRIGGER inbox_done_deletes_finished_batches BEFORE INSERT ON inbox_done
WHEN NEW.update_id < 0
BEGIN
    DELETE FROM inbox_done WHERE update_id BETWEEN -NEW.update_id
        AND (SELECT last_id FROM inbox WHERE first_id = -NEW.update_id);
    DELETE FROM inbox WHERE first_id = -NEW.update_id;
    SELECT RAISE(IGNORE);
END;

-- The offset to poll from after a restart: one more than the highest update written to the
-- inbox, saved by the trigger in the same statement as the batch, so that a batch can never
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
    SET next = CASE WHEN saved_at > unixepoch() - 86400 THEN max(next, NEW.last_id + 1)
                    ELSE NEW.last_id + 1 END,
        saved_at = unixepoch()
    WHERE id = 1;
END;
