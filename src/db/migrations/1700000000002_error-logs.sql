-- Up Migration
-- Spec 004 Phase 2: stored error and critical messages from the producer.
CREATE TABLE IF NOT EXISTS error_logs (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    error_id VARCHAR(255) UNIQUE NOT NULL,
    error_type VARCHAR(100),
    error_message TEXT,
    error_traceback TEXT,
    severity VARCHAR(20) NOT NULL,
    category VARCHAR(50),
    component VARCHAR(100),
    operation VARCHAR(100),
    symbol VARCHAR(10),
    context JSONB,
    timestamp TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP
);

CREATE INDEX IF NOT EXISTS idx_error_logs_timestamp ON error_logs (timestamp DESC);
CREATE INDEX IF NOT EXISTS idx_error_logs_severity ON error_logs (severity);
CREATE INDEX IF NOT EXISTS idx_error_logs_category ON error_logs (category);
CREATE INDEX IF NOT EXISTS idx_error_logs_symbol ON error_logs (symbol);
CREATE INDEX IF NOT EXISTS idx_error_logs_error_type ON error_logs (error_type);
CREATE INDEX IF NOT EXISTS idx_error_logs_recent_critical ON error_logs (timestamp DESC)
    WHERE severity IN ('critical', 'error');

-- Down Migration
DROP TABLE IF EXISTS error_logs;
