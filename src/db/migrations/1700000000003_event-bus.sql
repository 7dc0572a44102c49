-- Up Migration
-- Spec 003: the PostgreSQL event bus, with correlation ids and a GIN index for payload search.
CREATE TABLE IF NOT EXISTS events (
    id SERIAL PRIMARY KEY,
    channel VARCHAR(50) NOT NULL,
    event_type VARCHAR(100) NOT NULL,
    source VARCHAR(100),
    correlation_id UUID,
    data JSONB NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS idx_events_channel ON events (channel);
CREATE INDEX IF NOT EXISTS idx_events_event_type ON events (event_type);
CREATE INDEX IF NOT EXISTS idx_events_source ON events (source);
CREATE INDEX IF NOT EXISTS idx_events_correlation_id ON events (correlation_id);
CREATE INDEX IF NOT EXISTS idx_events_created_at ON events (created_at DESC);
CREATE INDEX IF NOT EXISTS idx_events_data_gin ON events USING GIN (data);

-- Down Migration
DROP TABLE IF EXISTS events;
