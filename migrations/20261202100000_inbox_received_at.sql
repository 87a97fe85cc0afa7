-- When each batch was written to the inbox (unix seconds): a reply is tried until
-- BOT_REPLY_DEADLINE after its update arrived, also after a restart. 0 for batches written
-- before this column existed (they count as arriving at the next start).
ALTER TABLE inbox ADD COLUMN received_at INTEGER NOT NULL DEFAULT 0;

-- Groups that became supergroups (Telegram's migrate_to_chat_id): updates of the old chat
-- still in the inbox are answered in the new one. Chat ids only, never a user id.
CREATE TABLE chat_moves (
    from_chat INTEGER PRIMARY KEY,
    to_chat   INTEGER NOT NULL,
    moved_at  INTEGER NOT NULL   -- unix seconds
);
