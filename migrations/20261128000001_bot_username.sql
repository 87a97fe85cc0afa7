-- The bot's own Telegram username, as getMe last reported it: the engine builds each card's
-- permalink https://t.me/<username>?start=<payload> from it, and the offline console, which
-- never talks to Telegram, shows the same links once the bot has run with this database.
CREATE TABLE bot_username (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    username TEXT NOT NULL
);
