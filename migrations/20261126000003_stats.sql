-- Aggregate daily counters for the operator. No user ids: a metric, a key (a command, an area,
-- a ministry, an unmatched lookup text, a language) and how often it happened that day.
CREATE TABLE stats_daily (
    day    TEXT NOT NULL,
    metric TEXT NOT NULL,
    key    TEXT NOT NULL,
    count  INTEGER NOT NULL,
    PRIMARY KEY (day, metric, key)
);
