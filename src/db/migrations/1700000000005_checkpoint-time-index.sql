-- Up Migration
-- The dashboard asks each second for the newest row of a rare checkpoint (the heartbeats, rejections).
-- With the index on checkpoint alone, PostgreSQL walks the timestamp index back through every row since
-- the last heartbeat whenever its statistics predate the rows (autovacuum analyzes a growing table late):
-- 10 ms at 1,000 events/s, for each such read. Ordered by time within each checkpoint, it is one probe.
-- The spec's name stays; a query by checkpoint alone uses the index as before.
DROP INDEX IF EXISTS idx_integration_events_checkpoint;
CREATE INDEX idx_integration_events_checkpoint ON integration_events (checkpoint, timestamp DESC);

-- Down Migration
DROP INDEX IF EXISTS idx_integration_events_checkpoint;
CREATE INDEX idx_integration_events_checkpoint ON integration_events (checkpoint);
