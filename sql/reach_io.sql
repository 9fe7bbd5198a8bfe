-- reach_sketch text and binary forms, bytea casts, and the checks every
-- decoder makes on bytes from outside.
--
-- The format is specified in docs/FORMAT.md ("reach_sketch").

-- text round trip and the bytea casts keep every byte
CREATE TEMP TABLE rs AS
SELECT n, reach_agg(x) AS s FROM unnest(ARRAY[0, 1, 3, 5000]) n
LEFT JOIN generate_series(1, 5000) x ON x <= n GROUP BY n;
SELECT n, s::text::reach_sketch = s AS text_round_trip,
       s::bytea::reach_sketch::bytea = s::bytea AS bytea_round_trip,
       length(s::bytea) AS bytes
FROM rs ORDER BY n;
-- a sparse sketch of three users: header 02 0e 01 44 (Rice parameter 17 in
-- flag bits 2-7) 03000000, then the coded tokens, the bytes that the format's
-- second implementation writes (test/reference/reach_sparse_reference.py 1 2 3);
-- then version 1's sparse sketch of the same users, still read: header
-- 01 0e 01 00 03000000, three increasing little-endian 26-bit tokens
SELECT s FROM rs WHERE n = 3;
SELECT reach('\x010e010003000000012ab01d03c32292821271c1'::reach_sketch) AS reach,
       '\x010e010003000000012ab01d03c32292821271c1'::reach_sketch = s AS version_1_equals_version_2
FROM rs WHERE n = 3;
-- binary send/recv through COPY
COPY rs TO '/tmp/impression_ext_reach_io.bin' WITH (FORMAT binary);
CREATE TEMP TABLE rs2 (LIKE rs);
COPY rs2 FROM '/tmp/impression_ext_reach_io.bin' WITH (FORMAT binary);
SELECT count(*) AS rows, bool_and(a.s::bytea = b.s::bytea) AS binary_copy_round_trip
FROM rs a JOIN rs2 b USING (n);
COPY rs TO '/tmp/impression_ext_reach_io.txt';
TRUNCATE rs2;
COPY rs2 FROM '/tmp/impression_ext_reach_io.txt';
SELECT count(*) AS rows, bool_and(a.s::bytea = b.s::bytea) AS text_copy_round_trip
FROM rs a JOIN rs2 b USING (n);

-- malformed text: 22P02
\set VERBOSITY sqlstate
SELECT 'hello'::reach_sketch;
SELECT '\x010e01000000000'::reach_sketch;
SELECT '\x010e01000000000g'::reach_sketch;
SELECT '\x030e010000000000'::reach_sketch;
\set VERBOSITY default
SELECT 'hello'::reach_sketch;
SELECT '\x010e01000000000'::reach_sketch;
SELECT '\x010e0100000000zz'::reach_sketch;
SELECT '\x030e010000000000'::reach_sketch;

-- malformed bytes through the bytea cast: 22P03, each with what is wrong
\set VERBOSITY sqlstate
SELECT '\x'::bytea::reach_sketch;
SELECT '\x030e010000000000'::bytea::reach_sketch;
\set VERBOSITY default
SELECT '\x'::bytea::reach_sketch;                                     -- empty
SELECT '\x010e0100'::bytea::reach_sketch;                             -- truncated header
SELECT '\x030e010000000000'::bytea::reach_sketch;                     -- version 3
SELECT '\x0103010000000000'::bytea::reach_sketch;                     -- precision 3
SELECT '\x0113010000000000'::bytea::reach_sketch;                     -- precision 19
SELECT '\x010e030000000000'::bytea::reach_sketch;                     -- dense_packed, no code
SELECT '\x010e070000000000'::bytea::reach_sketch;                     -- representation 7
SELECT '\x010e010200000000'::bytea::reach_sketch;                     -- reserved flag bit
SELECT '\x010e010001000000'::bytea::reach_sketch;                     -- count 1, no token
SELECT '\x010e01000000000000'::bytea::reach_sketch;                   -- trailing byte
SELECT '\x010e010002000000c32292821271c1'::bytea::reach_sketch;       -- truncated token
SELECT '\x010e010002000000c3229282012ab01d'::bytea::reach_sketch;     -- tokens out of order
SELECT '\x010e010002000000012ab01d012ab01d'::bytea::reach_sketch;     -- duplicate token
SELECT '\x010e010001000000002ab01d'::bytea::reach_sketch;             -- token with r26 = 0
SELECT '\x010e0100ffffff7f'::bytea::reach_sketch;                     -- huge count
-- dense at precision 4: header 01 04 02 00 00000000, then 16 register bytes;
-- a register is (u << 2) | history, u in 1..65-p
SELECT reach(decode('0104020000000000' || repeat('00', 15) || '04', 'hex')::reach_sketch) AS one_register;
SELECT decode('0104020000000000' || repeat('00', 14) || '04', 'hex')::reach_sketch;      -- 15 registers
SELECT decode('0104020000000000' || repeat('00', 16) || '04', 'hex')::reach_sketch;      -- 17 registers
SELECT decode('0104020000000000' || repeat('00', 15) || 'f8', 'hex')::reach_sketch;      -- u = 62 > 61
SELECT decode('0104020000000000' || repeat('00', 15) || '05', 'hex')::reach_sketch;      -- u = 1 with history
SELECT decode('0104020000000000' || repeat('00', 15) || '09', 'hex')::reach_sketch;      -- u = 2, u-2 = 0 seen
SELECT decode('0104020001000000' || repeat('00', 15) || '04', 'hex')::reach_sketch;      -- dense with a count
SELECT decode('0104020000000000' || repeat('00', 15) || 'f7', 'hex')::reach_sketch IS NOT NULL AS top_register_ok;
-- dense_packed (representation 3): header with the symbol count, the
-- (symbol, code length) table, then the Huffman-coded registers
CREATE TEMP TABLE packed AS SELECT reach_agg(x, 10)::bytea AS b FROM generate_series(1, 100000) x;
SELECT get_byte(b, 2) AS representation, length(b) AS bytes, b::reach_sketch IS NOT NULL AS valid FROM packed;
SELECT substr(b, 1, length(b) - 1)::reach_sketch FROM packed;                  -- truncated
SELECT (b || '\x00'::bytea)::reach_sketch FROM packed;                         -- trailing byte
SELECT set_byte(b, 4, 0)::reach_sketch FROM packed;                            -- no symbols
SELECT set_byte(b, 9, 17)::reach_sketch FROM packed;                           -- code length 17
SELECT set_byte(b, 8, 255)::reach_sketch FROM packed;                          -- symbol not a register
SELECT set_byte(b, 3, 1)::reach_sketch FROM packed;                            -- hll_only with history bits
-- an aggregate buffer value (representation 4) with non-zero unused slots
SELECT '\x010e040001000000012ab01d00000000'::bytea::reach_sketch IS NOT NULL AS buffer_ok;
SELECT '\x010e040001000000012ab01d01000000'::bytea::reach_sketch;
SELECT '\x010e040002000000012ab01d'::bytea::reach_sketch;
-- every function checks its argument again (a forged value cannot slip in
-- through a binary-coercible path)
SELECT reach('\x010e01000000000000'::bytea::reach_sketch);
SELECT 1 AS still_up;
