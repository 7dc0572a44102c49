-- Up Migration
-- Per-hour counts of error_logs by severity and category, kept by statement-level triggers, so that
-- /api/errors/statistics reads a few hundred counters instead of scanning millions of rows.
CREATE TABLE IF NOT EXISTS error_counts_hourly (
    hour TIMESTAMPTZ NOT NULL,
    severity VARCHAR(20) NOT NULL,
    category VARCHAR(50) NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (hour, severity, category)
);

CREATE OR REPLACE FUNCTION error_counts_hourly_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO error_counts_hourly (hour, severity, category, count)
        SELECT date_trunc('hour', timestamp), severity, coalesce(category, 'unknown'), count(*)
          FROM new_rows GROUP BY 1, 2, 3
        ON CONFLICT (hour, severity, category) DO UPDATE SET count = error_counts_hourly.count + EXCLUDED.count;
    ELSE
        UPDATE error_counts_hourly c SET count = c.count - d.n
          FROM (SELECT date_trunc('hour', timestamp) AS hour, severity, coalesce(category, 'unknown') AS category, count(*) AS n
                  FROM old_rows GROUP BY 1, 2, 3) d
         WHERE c.hour = d.hour AND c.severity = d.severity AND c.category = d.category;
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS error_counts_hourly_insert ON error_logs;
CREATE TRIGGER error_counts_hourly_insert AFTER INSERT ON error_logs
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION error_counts_hourly_apply();
DROP TRIGGER IF EXISTS error_counts_hourly_delete ON error_logs;
CREATE TRIGGER error_counts_hourly_delete AFTER DELETE ON error_logs
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION error_counts_hourly_apply();

-- Rows stored before this migration.
INSERT INTO error_counts_hourly (hour, severity, category, count)
SELECT date_trunc('hour', timestamp), severity, coalesce(category, 'unknown'), count(*) FROM error_logs GROUP BY 1, 2, 3
ON CONFLICT (hour, severity, category) DO NOTHING;

-- Down Migration
DROP TRIGGER IF EXISTS error_counts_hourly_delete ON error_logs;
DROP TRIGGER IF EXISTS error_counts_hourly_insert ON error_logs;
DROP FUNCTION IF EXISTS error_counts_hourly_apply();
DROP TABLE IF EXISTS error_counts_hourly;
