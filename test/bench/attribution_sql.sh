# shellcheck shell=bash
# test/bench/attribution_sql.sh — the attribution reports the benchmarks
# time, ours and plain SQL (first written in attribution_bench.sh; sourced by
# it and by markov_bench.sh).  Defines variables and functions, runs
# nothing.  Every report has the columns
#   touch | post_click | post_impression | unattributed | revenue
# over the events table (touch = campaign_id::text, value = revenue::float8,
# click window 7 days, view window 1 day, half-life 7 days).
#
#   ours_sql MODEL FORM     journey_agg + attribute(): FORM join, lateral,
#                           range (converting users' events) or stored
#                           (journeys in attribution_bench_journeys, or in
#                           the table STORED_JOURNEYS names)
#   lt_probe_sql FORM       plain last touch: probe2, probe1
#   ft_probe_sql            plain first touch: one probe, clicks first
#   win_sql MODEL FORM      plain, any model by window functions: window, inner

CW="interval '7 days'"  # click window
VW="interval '1 day'"   # view window
HL="interval '7 days'"  # time_decay half-life
TOUCH="e.campaign_id::text"
MODELS=(last_touch linear time_decay position_based)

# every query returns this report from rows (touch, touch_kind, credit, value)
REPORT="sum(credit) FILTER (WHERE touch_kind = 'click') AS post_click,
 sum(credit) FILTER (WHERE touch_kind = 'impression') AS post_impression,
 sum(credit) FILTER (WHERE touch_kind IS NULL) AS unattributed, sum(value) AS revenue"

# ours: journeys of the converting users, attributed, summed per campaign
JARGS="e.ts, e.kind, $TOUCH, e.revenue::float8"
ours_sql() { # MODEL FORM
	local j
	case $2 in
	join) j="SELECT e.user_id, journey_agg($JARGS) AS j
 FROM (SELECT DISTINCT user_id FROM events WHERE kind = 'conversion') c JOIN events e USING (user_id) GROUP BY e.user_id" ;;
	lateral) j="SELECT c.user_id, x.j FROM (SELECT DISTINCT user_id FROM events WHERE kind = 'conversion') c
 CROSS JOIN LATERAL (SELECT journey_agg($JARGS) AS j FROM events e WHERE e.user_id = c.user_id) x" ;;
	# only the events that can matter: none outside [first conversion -
	# click window, last conversion] qualifies for any conversion
	range) j="SELECT c.user_id, x.j FROM (SELECT user_id, min(ts) AS t0, max(ts) AS t1 FROM events WHERE kind = 'conversion' GROUP BY user_id) c
 CROSS JOIN LATERAL (SELECT journey_agg($JARGS) AS j FROM events e WHERE e.user_id = c.user_id AND e.ts >= c.t0 - $CW AND e.ts <= c.t1) x" ;;
	# journeys built beforehand (not the target's workload)
	stored) j="SELECT user_id, j FROM ${STORED_JOURNEYS:-attribution_bench_journeys}" ;;
	*) ie_die "ours_sql: unknown form $2" ;;
	esac
	echo "SELECT a.touch, $REPORT
 FROM ($j) u CROSS JOIN LATERAL attribute(u.j, '$1', $CW, $VW, $HL) a GROUP BY a.touch"
}

# plain SQL.  A conversion (cid: its ctid; v: its value) and its qualifying
# touches, found through the index on (user_id, ts).
CONV="SELECT ctid AS cid, user_id, ts, revenue::float8 AS v FROM events WHERE kind = 'conversion'"
PROBE="SELECT e.kind, $TOUCH AS touch, e.ts FROM events e
 WHERE e.user_id = c.user_id AND e.ts <= c.ts AND e.ts >= c.ts - $CW
   AND (e.kind = 'click' OR (e.kind = 'impression' AND e.ts >= c.ts - $VW))"
# last touch by LATERAL LIMIT 1 probes: the last touch in attribute()'s
# order (ts, then touch bytewise, NULL first), clicks first
lt_probe_sql() { # FORM
	case $1 in
	probe2) echo "SELECT touch, $REPORT FROM (
 SELECT coalesce(clk.touch_kind, imp.touch_kind) AS touch_kind, CASE WHEN clk.touch_kind IS NOT NULL THEN clk.touch ELSE imp.touch END AS touch,
        1::float8 AS credit, c.v AS value
 FROM ($CONV) c
 LEFT JOIN LATERAL (SELECT $TOUCH AS touch, 'click'::text AS touch_kind FROM events e
   WHERE e.user_id = c.user_id AND e.kind = 'click' AND e.ts <= c.ts AND e.ts >= c.ts - $CW
   ORDER BY e.ts DESC, $TOUCH COLLATE \"C\" DESC NULLS LAST LIMIT 1) clk ON true
 LEFT JOIN LATERAL (SELECT $TOUCH AS touch, 'impression'::text AS touch_kind FROM events e
   WHERE clk.touch_kind IS NULL AND e.user_id = c.user_id AND e.kind = 'impression' AND e.ts <= c.ts AND e.ts >= c.ts - $VW
   ORDER BY e.ts DESC, $TOUCH COLLATE \"C\" DESC NULLS LAST LIMIT 1) imp ON true) p
 GROUP BY touch" ;;
	probe1) echo "SELECT touch, $REPORT FROM (
 SELECT t.kind AS touch_kind, t.touch, 1::float8 AS credit, c.v AS value
 FROM ($CONV) c
 LEFT JOIN LATERAL ($PROBE
   ORDER BY e.kind = 'click' DESC, e.ts DESC, $TOUCH COLLATE \"C\" DESC NULLS LAST LIMIT 1) t ON true) p
 GROUP BY touch" ;;
	*) ie_die "lt_probe_sql: unknown form $1" ;;
	esac
}
# any model by window functions over the qualifying touches of each
# conversion: nc / ni = its qualifying clicks / impressions; the winners are
# the clicks if nc > 0, else the impressions, W of them; rc / ri = a touch's
# position among the clicks / impressions in attribute()'s order.
#   FORM window: one LATERAL probe per conversion, then windows over all
#                conversions (PARTITION BY cid);
#   FORM inner:  the windows inside the LATERAL subquery, per conversion.
win_sql() { # MODEL FORM
	local model=$1 form=$2 cols credit win keep="" part="PARTITION BY cid"
	local W="CASE WHEN nc > 0 THEN nc ELSE ni END"
	local R="CASE WHEN kind = 'click' THEN rc ELSE ri END"
	# the time_decay weight 2^(-lag / half-life), computed only for that model
	local WT="NULL::float8"
	[[ $model == time_decay ]] && WT="power(2::float8, -extract(epoch FROM c.ts - t.ts)::float8 / extract(epoch FROM $HL)::float8)"
	[[ $form == inner ]] && part=""
	cols="count(*) FILTER (WHERE kind = 'click') OVER whole AS nc, count(*) FILTER (WHERE kind = 'impression') OVER whole AS ni"
	local ordered="s AS ($part ORDER BY kind, ts, touch COLLATE \"C\" NULLS FIRST), run AS (s ROWS UNBOUNDED PRECEDING),
   whole AS (s ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)"
	local rank_cols="count(*) FILTER (WHERE kind = 'click') OVER run AS rc, count(*) FILTER (WHERE kind = 'impression') OVER run AS ri"
	case $model in
	last_touch) cols="$cols, $rank_cols"; credit="1::float8"; keep="AND $R = $W"; win=$ordered ;;
	linear) credit="1::float8 / $W"; win="whole AS ($part)" ;;
	time_decay) cols="$cols, sum(wt) FILTER (WHERE kind = 'click') OVER whole AS swc, sum(wt) FILTER (WHERE kind = 'impression') OVER whole AS swi"
		credit="wt / CASE WHEN nc > 0 THEN swc ELSE swi END"; win="whole AS ($part)" ;;
	position_based) cols="$cols, $rank_cols"
		credit="CASE WHEN $W = 1 THEN 1::float8 WHEN $W = 2 THEN 0.5::float8 WHEN $R IN (1, $W) THEN 0.4::float8 ELSE 0.2::float8 / ($W - 2) END"
		win=$ordered ;;
	*) ie_die "win_sql: unknown model $model" ;;
	esac
	case $form in
	window) echo "SELECT touch, $REPORT FROM (
 SELECT kind AS touch_kind, touch, CASE WHEN kind IS NULL THEN 1::float8 ELSE $credit END AS credit,
        v * CASE WHEN kind IS NULL THEN 1::float8 ELSE $credit END AS value
 FROM (SELECT q.*, $cols
       FROM (SELECT c.cid, c.v, t.kind, t.touch, t.ts, $WT AS wt FROM ($CONV) c LEFT JOIN LATERAL ($PROBE) t ON true) q
       WINDOW $win) w
 WHERE kind IS NULL OR (kind = CASE WHEN nc > 0 THEN 'click' ELSE 'impression' END $keep)) r
 GROUP BY touch" ;;
	inner) echo "SELECT touch, $REPORT FROM (
 SELECT r.kind AS touch_kind, r.touch, coalesce(r.credit, 1::float8) AS credit, c.v * coalesce(r.credit, 1::float8) AS value
 FROM ($CONV) c
 LEFT JOIN LATERAL (
   SELECT kind, touch, $credit AS credit
   FROM (SELECT q.*, $cols FROM (SELECT t.*, $WT AS wt FROM ($PROBE) t) q WINDOW $win) w
   WHERE kind = CASE WHEN nc > 0 THEN 'click' ELSE 'impression' END $keep) r ON true) x
 GROUP BY touch" ;;
	*) ie_die "win_sql: unknown form $form" ;;
	esac
}

# first touch by one LATERAL LIMIT 1 probe: the first qualifying touch in
# attribute()'s order (ts, then touch bytewise, NULL first), clicks first
ft_probe_sql() {
	echo "SELECT touch, $REPORT FROM (
 SELECT t.kind AS touch_kind, t.touch, 1::float8 AS credit, c.v AS value
 FROM ($CONV) c
 LEFT JOIN LATERAL ($PROBE
   ORDER BY e.kind = 'click' DESC, e.ts, $TOUCH COLLATE \"C\" NULLS FIRST LIMIT 1) t ON true) p
 GROUP BY touch"
}
