-- Full-text index over everything the bot can show, one row per item and language. Rebuilt in
-- the same transaction as the content tables. `item` is the callback-data form of the item
-- (`l:3`, `g:purpose`, `c:vm`, `a:veseliba`, `sp`, `rs`).
CREATE VIRTUAL TABLE search USING fts5(
    item UNINDEXED,
    lang UNINDEXED,
    title,
    body,
    tokenize = "unicode61 remove_diacritics 2"
);

-- The indexed words, for the typo fallback.
CREATE VIRTUAL TABLE search_vocab USING fts5vocab(search, 'row');
