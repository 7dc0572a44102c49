-- Up Migration
-- Spec 000: checkpoint log, flow view and the logging function spec 001 calls with ten arguments.
-- Idempotent so that it also applies to a staging database that already has these objects.
CREATE TABLE IF NOT EXISTS integration_events (
    id SERIAL PRIMARY KEY,
    flow_id UUID,
    timestamp TIMESTAMPTZ DEFAULT NOW(),
    event_type VARCHAR(50),
    source_system VARCHAR(50),
    checkpoint VARCHAR(50),
    channel VARCHAR(100),
    symbol VARCHAR(20),
    pattern_name VARCHAR(50),
    confidence NUMERIC,
    user_count INTEGER,
    details JSONB,
    latency_ms NUMERIC,
    created_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE INDEX IF NOT EXISTS idx_integration_events_flow_id ON integration_events (flow_id);
CREATE INDEX IF NOT EXISTS idx_integration_events_timestamp ON integration_events (timestamp DESC);
CREATE INDEX IF NOT EXISTS idx_integration_events_checkpoint ON integration_events (checkpoint);
CREATE INDEX IF NOT EXISTS idx_integration_events_source_system ON integration_events (source_system);

CREATE OR REPLACE VIEW pattern_flow_analysis AS
SELECT
    flow_id,
    MIN(timestamp) AS start_time,
    MAX(timestamp) AS end_time,
    EXTRACT(epoch FROM MAX(timestamp) - MIN(timestamp)) * 1000 AS total_latency_ms,
    symbol,
    pattern_name,
    MAX(confidence) AS confidence,
    MAX(user_count) AS users_notified,
    COUNT(*) AS checkpoints_logged,
    ARRAY_AGG(checkpoint ORDER BY timestamp) AS flow_path
FROM integration_events
WHERE flow_id IS NOT NULL
GROUP BY flow_id, symbol, pattern_name;

-- Positional arguments exactly as spec 001 passes them; returns the new row's id.
-- latency_ms is taken from details when the caller measured it.
CREATE OR REPLACE FUNCTION log_integration_event(
    p_flow_id UUID,
    p_event_type VARCHAR,
    p_source_system VARCHAR,
    p_checkpoint VARCHAR,
    p_channel VARCHAR,
    p_symbol VARCHAR,
    p_pattern_name VARCHAR,
    p_confidence NUMERIC,
    p_user_count INTEGER,
    p_details JSONB
) RETURNS INTEGER
LANGUAGE sql
AS $$
    INSERT INTO integration_events (
        flow_id, event_type, source_system, checkpoint, channel, symbol,
        pattern_name, confidence, user_count, details, latency_ms
    ) VALUES (
        p_flow_id, p_event_type, p_source_system, p_checkpoint, p_channel, p_symbol,
        p_pattern_name, p_confidence, p_user_count, p_details,
        CASE WHEN jsonb_typeof(p_details -> 'latency_ms') = 'number'
             THEN (p_details ->> 'latency_ms')::numeric END
    )
    RETURNING id;
$$;

-- Down Migration
DROP FUNCTION IF EXISTS log_integration_event(UUID, VARCHAR, VARCHAR, VARCHAR, VARCHAR, VARCHAR, VARCHAR, NUMERIC, INTEGER, JSONB);
DROP VIEW IF EXISTS pattern_flow_analysis;
DROP TABLE IF EXISTS integration_events;
