-- examples/incremental_rollup.sql — a campaign x day rollup kept up to date
-- incrementally, exactly once under concurrent writers (README "Incremental
-- rollups").  Copy it and adapt the names: it is installed nowhere.  It
-- expects the events table of test/data/schema.sql (user_id, ts, kind,
-- campaign_id, cost) and the impression_ext extension; test/incremental.sh,
-- test/bi.sh and test/cron.sh run it.
--
--   events --(AFTER INSERT trigger)--> campaign_daily_queue
--          --(CALL campaign_daily_merge(), every minute)--> campaign_daily
--
-- Exactly once: the trigger writes a queue row in the writer's own
-- transaction, so the queue row becomes visible exactly when the event does.
-- The merge takes the queue rows it can see with DELETE ... RETURNING and
-- merges them in the same statement: rows of writers still in progress are
-- invisible to it and stay for the next run (however low their ids or old
-- their timestamps), a run that fails rolls its DELETE back with its merge,
-- and two runs never take the same row.
--
-- Everything is dropped and recreated: run it once, then
-- CALL campaign_daily_rebuild() to roll up the events already there.

SET client_min_messages = warning;
DROP TRIGGER IF EXISTS campaign_daily_enqueue ON events;
DROP FUNCTION IF EXISTS campaign_daily_enqueue();
DROP PROCEDURE IF EXISTS campaign_daily_merge();
DROP PROCEDURE IF EXISTS campaign_daily_rebuild(date, int);
DROP TABLE IF EXISTS campaign_daily, campaign_daily_queue;
RESET client_min_messages;

-- The rollup: one row per campaign and UTC day.  Counts and cost add up
-- exactly (numeric); the sketches merge with ||, which gives the same bytes
-- whatever the split of the events into runs and their order, so this table
-- equals, byte for byte, a GROUP BY over all the events.
CREATE TABLE campaign_daily (
	campaign_id      int NOT NULL,
	day              date NOT NULL,
	impressions      bigint NOT NULL,
	clicks           bigint NOT NULL,
	conversions      bigint NOT NULL,
	cost             numeric NOT NULL,
	reach_sketch     reach_sketch NOT NULL,
	frequency_sketch frequency_sketch NOT NULL,
	PRIMARY KEY (campaign_id, day)
);
COMMENT ON TABLE campaign_daily IS 'Rollup per campaign and day (UTC), merged incrementally by campaign_daily_merge() from campaign_daily_queue.';
COMMENT ON COLUMN campaign_daily.conversions IS 'Conversion events that carry this campaign; conversions without a campaign are credited by attribution instead.';
COMMENT ON COLUMN campaign_daily.reach_sketch IS 'reach_sketch of the users who saw an impression.';
COMMENT ON COLUMN campaign_daily.frequency_sketch IS 'frequency_sketch of the users who saw an impression, with their impression counts.';

-- What the merge needs of each new event, already reduced to its day: the
-- merge reads this narrow table only, never the events.  No index: every
-- run takes all of it.
CREATE TABLE campaign_daily_queue (
	campaign_id int NOT NULL,
	day         date NOT NULL,
	kind        text NOT NULL,
	user_id     bigint NOT NULL,
	cost        numeric(12, 6) NOT NULL
);
COMMENT ON TABLE campaign_daily_queue IS 'Events inserted since the last campaign_daily_merge(), written by the trigger campaign_daily_enqueue on events.';

-- One statement-level trigger per INSERT or COPY, not one per row: the
-- transition table hands it all the statement's rows at once.  Rows
-- without a campaign (conversions the attribution credits) have no row
-- in the rollup.
CREATE FUNCTION campaign_daily_enqueue() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO campaign_daily_queue (campaign_id, day, kind, user_id, cost)
	SELECT campaign_id, (ts AT TIME ZONE 'UTC')::date, kind, user_id, cost
	FROM new_events
	WHERE campaign_id IS NOT NULL;
	RETURN NULL;
END
$$;
CREATE TRIGGER campaign_daily_enqueue AFTER INSERT ON events
	REFERENCING NEW TABLE AS new_events
	FOR EACH STATEMENT EXECUTE FUNCTION campaign_daily_enqueue();

-- Merge every visible queue row into its (campaign, day) row, a late event
-- into its old day like any other.  Called by pg_cron every minute.
--
-- The lock lets one maintenance run (a merge or a rebuild) in at a time
-- and blocks neither the writers (who never touch this table) nor the
-- readers (ACCESS SHARE); runs that overlap queue up behind it.  Without
-- it two merges would still take different rows (the second waits for the
-- rows the first deleted, then skips them), but a merge and a rebuild
-- meeting on the same rows could deadlock, each waiting for rows the other
-- changed, and exactly once would rest on every interleaving of the two.
-- The DELETE and the ON CONFLICT merge are one statement in one
-- transaction: the progress made is the queue rows deleted.
CREATE PROCEDURE campaign_daily_merge()
LANGUAGE plpgsql AS $$
BEGIN
	LOCK TABLE campaign_daily IN EXCLUSIVE MODE;
	WITH batch AS (
		DELETE FROM campaign_daily_queue RETURNING *
	)
	INSERT INTO campaign_daily AS r
	SELECT campaign_id, day,
	       count(*) FILTER (WHERE kind = 'impression'),
	       count(*) FILTER (WHERE kind = 'click'),
	       count(*) FILTER (WHERE kind = 'conversion'),
	       sum(cost),
	       reach_agg(user_id) FILTER (WHERE kind = 'impression'),
	       frequency_agg(user_id) FILTER (WHERE kind = 'impression')
	FROM batch
	GROUP BY campaign_id, day
	ON CONFLICT (campaign_id, day) DO UPDATE SET
		impressions = r.impressions + excluded.impressions,
		clicks = r.clicks + excluded.clicks,
		conversions = r.conversions + excluded.conversions,
		cost = r.cost + excluded.cost,
		reach_sketch = r.reach_sketch || excluded.reach_sketch,
		frequency_sketch = r.frequency_sketch || excluded.frequency_sketch;
END
$$;
COMMENT ON PROCEDURE campaign_daily_merge() IS 'Merge the events inserted since the last run into campaign_daily, exactly once (pg_cron runs it every minute).';

-- Recompute the rows of one day, one campaign, both or (no argument) all
-- of them from the events: after events were corrected or deleted, since a
-- sketch cannot subtract.  An UPDATE that moves an event to another day or
-- campaign needs both the old and the new rows rebuilt.
--
-- Under the same lock as the merge, the old rows go; then one statement,
-- so one snapshot, reads the events and deletes their queue rows in the
-- scope: an event is either committed in that snapshot (counted here, its
-- queue row gone) or not (its queue row is left for the next merge).
-- Dynamic SQL, so that a day's rebuild is planned for its day (an index
-- on events (ts) serves it) and not as a generic plan over all days.
CREATE PROCEDURE campaign_daily_rebuild(only_day date DEFAULT NULL, only_campaign int DEFAULT NULL)
LANGUAGE plpgsql AS $$
DECLARE
	rows_scope text := 'true';
	events_scope text := 'campaign_id IS NOT NULL';
BEGIN
	IF only_day IS NOT NULL THEN
		rows_scope := format('day = %L', only_day);
		events_scope := events_scope || format(' AND ts >= %L::timestamp AT TIME ZONE ''UTC'' AND ts < %L::timestamp AT TIME ZONE ''UTC''',
			only_day, only_day + 1);
	END IF;
	IF only_campaign IS NOT NULL THEN
		rows_scope := rows_scope || format(' AND campaign_id = %L', only_campaign);
		events_scope := events_scope || format(' AND campaign_id = %L', only_campaign);
	END IF;
	LOCK TABLE campaign_daily IN EXCLUSIVE MODE;
	EXECUTE 'DELETE FROM campaign_daily WHERE ' || rows_scope;
	EXECUTE format($q$
		WITH taken AS (
			DELETE FROM campaign_daily_queue WHERE %s
		)
		INSERT INTO campaign_daily
		SELECT campaign_id, (ts AT TIME ZONE 'UTC')::date AS day,
		       count(*) FILTER (WHERE kind = 'impression'),
		       count(*) FILTER (WHERE kind = 'click'),
		       count(*) FILTER (WHERE kind = 'conversion'),
		       sum(cost),
		       reach_agg(user_id) FILTER (WHERE kind = 'impression'),
		       frequency_agg(user_id) FILTER (WHERE kind = 'impression')
		FROM events
		WHERE %s
		GROUP BY 1, 2$q$, rows_scope, events_scope);
END
$$;
COMMENT ON PROCEDURE campaign_daily_rebuild(date, int) IS 'Recompute campaign_daily from the events for one day, one campaign, both, or everything (no argument); safe while campaign_daily_merge() runs.';
