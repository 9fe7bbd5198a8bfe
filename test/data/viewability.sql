-- test/data/viewability.sql — viewability and engagement of the demo's
-- impressions (test/demo.sh runs it after loading the events).
--
-- The generator's rows carry no viewability; these columns are derived from
-- each impression by a hash, so they are deterministic, at rates typical of
-- each channel (eligible for measurement, measured by a viewability vendor,
-- viewable by the MRC standard: at least 50 % of the pixels in view for 1
-- continuous second for display, 2 seconds of video; engaged: an
-- interaction short of a click, such as an expansion or a video played
-- with sound), varied a little by campaign.  Clicks and conversions keep
-- NULL.  Idempotent: only impressions not yet marked are updated.
SET client_min_messages = warning;
ALTER TABLE events
	ADD COLUMN IF NOT EXISTS eligible boolean,
	ADD COLUMN IF NOT EXISTS measurable boolean,
	ADD COLUMN IF NOT EXISTS viewable boolean,
	ADD COLUMN IF NOT EXISTS engaged boolean;
COMMENT ON COLUMN events.eligible IS 'Impression eligible for viewability measurement (impressions only).';
COMMENT ON COLUMN events.measurable IS 'Impression a viewability vendor could measure (implies eligible).';
COMMENT ON COLUMN events.viewable IS 'Viewable by the MRC standard: 50 % of pixels in view for 1 continuous second (display) or 2 seconds (video); implies measurable.';
COMMENT ON COLUMN events.engaged IS 'The impression drew an engagement short of a click (expansion, hover, video played with sound).';

-- u(e, s): a uniform draw in [0, 1) from the impression (user, time) and a seed
CREATE FUNCTION pg_temp.u(user_id bigint, ts timestamptz, seed bigint) RETURNS numeric
LANGUAGE sql STABLE
RETURN (hashint8extended(user_id # (extract(epoch FROM ts) * 1000000)::bigint, seed) & 16777215) / 16777216.0;

WITH rates(channel, eligible, measurable, viewable, engaged) AS (
	VALUES ('display', 0.97, 0.92, 0.55, 0.004), ('video', 0.98, 0.95, 0.68, 0.050),
	       ('social', 0.95, 0.85, 0.62, 0.020), ('native', 0.96, 0.88, 0.58, 0.008),
	       ('search', 0.90, 0.80, 0.80, 0.010))
UPDATE events e
SET eligible = pg_temp.u(e.user_id, e.ts, 1) < r.eligible,
    measurable = pg_temp.u(e.user_id, e.ts, 1) < r.eligible AND pg_temp.u(e.user_id, e.ts, 2) < r.measurable,
    viewable = pg_temp.u(e.user_id, e.ts, 1) < r.eligible AND pg_temp.u(e.user_id, e.ts, 2) < r.measurable
               AND pg_temp.u(e.user_id, e.ts, 3) < r.viewable + (c.campaign_id % 5 - 2) * 0.04,
    engaged = pg_temp.u(e.user_id, e.ts, 4) < r.engaged
FROM campaigns c JOIN rates r USING (channel)
WHERE c.campaign_id = e.campaign_id AND e.kind = 'impression' AND e.eligible IS NULL;
