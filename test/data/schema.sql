-- test/data/schema.sql — tables that test/data/gen_events.c's output loads into.
--
-- Dropped and recreated, so load.sh can run again on the same database.  No
-- indexes besides the campaigns key: benchmarks and tests create the ones
-- they measure (for example events (user_id, ts) for attribution probes).
--
--   gen_events ...                     | psql -c 'COPY events FROM STDIN'
--   gen_events --campaigns-table ...   | psql -c 'COPY campaigns FROM STDIN'

DROP TABLE IF EXISTS events;
DROP TABLE IF EXISTS campaigns;

CREATE TABLE campaigns (
	campaign_id int PRIMARY KEY,
	name        text NOT NULL,          -- e.g. 'Winter Sale – Video 14'; the A/B pair ends in ' A' / ' B'
	channel     text NOT NULL,          -- display, social, video, native, search
	cpm_price   numeric(10,4) NOT NULL  -- price per thousand impressions
);

CREATE TABLE events (
	user_id     bigint NOT NULL,
	ts          timestamptz NOT NULL,
	kind        text NOT NULL CHECK (kind IN ('impression', 'click', 'conversion')),
	campaign_id int,                    -- NULL for conversions: attribution decides the credit
	cost        numeric(12,6) NOT NULL DEFAULT 0,  -- what the impression cost; 0 for clicks and conversions
	revenue     numeric(12,2)           -- conversions only
);

COMMENT ON TABLE events IS 'synthetic ad events from test/data/gen_events.c';
COMMENT ON TABLE campaigns IS 'synthetic campaigns from test/data/gen_events.c --campaigns-table';
