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
-- a sparse sketch of three users: header 03 0e 01 44 (Rice parameter 17 in
-- flag bits 2-7) 03000000, then the coded tokens, the bytes that the format's
-- second implementation writes (test/reference/reach_sparse_reference.py 1 2 3);
-- then version 1's sparse sketch of the same users, still read: header
-- 01 0e 01 00 03000000, three increasing little-endian 26-bit tokens
SELECT s FROM rs WHERE n = 3;
SELECT reach('\x010e010003000000012ab01d03c32292821271c1'::reach_sketch) AS reach,
       '\x010e010003000000012ab01d03c32292821271c1'::reach_sketch = s AS version_1_equals_version_3
FROM rs WHERE n = 3;
-- version 2 (written by builds of 0.2 up to commit 5a3ad59) is read forever:
-- frozen values, never regenerated, each beside the query that made it.  Its
-- sparse and dense forms are version 3's under another version byte; its
-- dense_packed table held code lengths where version 3 holds counts.  Each
-- reads as the sketch of the same users built today: the same estimate,
-- equal, rewritten by a union to today's bytes, and a union with today's
-- sketch is today's sketch.
CREATE TEMP TABLE v2 (name text, v reach_sketch, today reach_sketch);
INSERT INTO v2 VALUES
('sparse_500',
    ('\x020e0128f40100000287d94fbc80050803093068ca45ff1ae600b018add5108bea84acbe1790ae'
    || 'f799b87036a54caecc05ecd7d8c7dece43c0b63b32224790c6f82b21b3e0369b39132d68ec5da174'
    || '14449167b573397b28fa615ce6861b9c81b9ff90b20b50af8136615b414cd4fe6a071f0248ff4314'
    || '8eafec3c31c759b46ab90cc3404a884c7b5057867b65ba0e186fd00404b16548f492a339fed8e31e'
    || '26dc0b7672671e605aec56c3b52167f1d27c5aeb16c78d9a46e9161600376755a2b17f9a7da329e9'
    || '58cfc0afa5594cbc0adeba816f8a3de434befa6e444422bfb0f583468fab9666701744077c79d62b'
    || '584dc0daad7c5edfbda2dc6967fcaaf2b1e72111dba4e09c01f2d1b75ee4286b96b05d0480113d0c'
    || '1b50d9651453725d793fa5bf03f29441f4507b03d9a41be2536d4a58d17dabd0294d0f96a16c4b0c'
    || 'ef4ebef88c7c32311045c77264655d99a02f064d3b8928e00c23c977d4ade96c0e196a3a11013d0c'
    || '451c71b38c47a0618c6a6ba4d307d5d40268ff116448db222219a1dfece2fd44869da1d187036a19'
    || 'e09422ea8da2250a66197b8ece0e81c57ecc92f560f99d1db2777a26ae4ac74f71997bb90c6ebe0f'
    || 'dd6434e0a1b40e6a2af7343a6a75a056212b84fcacc2a99041e41c08a0607ea89d6038bf68204220'
    || '2602a1d234d3937960d0cd781fbdf9db5852047f8911c520f92a54076780ea10b50f7c1f6d192715'
    || 'dc7140aa158f5bf8115f43a8c4cedcbffe633888b6fab8687b4b7e4c85b2e8155382bd942c04e8c1'
    || '5158290c47f02ffd23bdfe8b505201b0f80dd89a59bef5778e08c426094364c785af5177e90fc81b'
    || '500cb2f6f84776920d08a9048246b8149b5c1725dcdf225ed873b59cb7e36b853279947d203001f6'
    || '0c0a01600f6fb44e5a8376a5bc6df96cfab808fd7707c2e39cfb5d3d901982d1149f4f28a75fe293'
    || 'f27c5430410d6afdc9ebceea7863d1cf48cd415c2a0859e05182b7069e45794726e16580a8bd93a4'
    || 'fa942b11f09aa8baed5a4032a0dc256d067bd3e794f0008be6653d93d952a2f2a80c412485398eab'
    || '1575a8696589a252acf2bf5f5449b082121c0183a5a5418e2acb08f2055638719b425411481aa705'
    || '9ce5db563ac400fc45101e693d9b3bf47663a183a10354fad8980a5c910520dc6399ad659611f034'
    || 'deef741e4ce64d541429346746533e262dcc45075e165c4c11189a5c39e05c01889eca21ffee9685'
    || '90275861d9a824597fa0ed44f83155b4c6765f10f6b65f84498ed2c51f9f808b8e0ce9dd5505')::reach_sketch,
    (SELECT reach_agg(x) FROM generate_series(1, 500) x)),
('sparse_text_p10',
    ('\x020a013464000000e1995d3c8eb2ca3516d0a7ac3e8ab79244d5cd1ac4e3f2d59a42b499e45b95'
    || 'f9012d67f076c70f9531c5a7dcf8624094e1e58a84aedaf40cebc5abfde315cd04a2f73b66cd08d0'
    || 'bc72cf40a4307923004c14def8c237e6a174e5988c8cdd3ef64c360b299b022d35870453a4784509'
    || '1da97b51d4c5ab23e03b774a1c1a840cb40c82de0e7e14a1d689f0ec11f58c5270b37b15fc5d81ee'
    || '2569e8f4a66266b13a21453b83885986024cac217434484cc92dd732e2af3f6278a5791a419a00da'
    || 'd0ca43867b879dbc60a390930be7e91a03cc6e03')::reach_sketch,
    (SELECT reach_agg('user ' || x, 10) FROM generate_series(1, 100) x)),
('packed_p10_5000',
    ('\x020a0300220000000006040408060a020c070d040e060f03100511041205130414041505160617'
    || '07180519061a071b0a1c051d071e0a1f0a200621082208240725092808290a2c093009340949f4f9'
    || '950ebd7cbbdead7f8b12947917cf5bdc2df7db0950e3e9c4910abcf4ab6870c3b34ce5939d2584d8'
    || '6add48e6370d0a57216cbb34332f3943e9a21c98f95cb017213689a58a6ba4f6d5817e2ddd24dca2'
    || '3070905da0626fa584e48ca717cf7a2325e5a5698076cf7bf6e5c97c6065dd2b7ddf7f46238a9f3c'
    || 'ffeaf9a53a1cf34f45ba8c3428a7833ca61f4927b692c68edd0d408370cd2e7a92abb759c71fddda'
    || '207ab165226a82a924dcef3848ce9cf3f13fe3a022ef02ba6c2882784b639b8eb988c8a1dc15fb8b'
    || '730269f58a625779e2ca73c19194280ff2aa1e03e1330343c2a2f10fa67566c2622512d98138db03'
    || '9b23b616e6e5c47eb7136b0deaf5ac74b8683df7ff360e4b5cb8ddb215ce2d18d9984a6a0e5a1352'
    || 'c24d6884d98b53c340844f3858f4e87ad984c136c99937b419868fa2c321f010856933ae57fb2288'
    || '7584a175ac653beca4c295ed4b669b61ad1825669c56a3c4fda86af295f911fcf5eeae36f6652ef2'
    || '3159d52c69e57aa86e4e20f1bbf683dcb181a127601d64c571c6a5e4c5866af9d4b8b23ed839e142'
    || 'f6a2b369a8c8469a1b3d7e85e78816eb2813c4f19883b773f127e6156477e61f595966853ef1e85f'
    || 'c4b1a47647455168eb90e3df93379e929ad38ddef559f1eba8c46208c7c4f7af1109da1b20d4ff59'
    || 'd113dad778b843244ca8c7efe974d8b77ada3cb0e217b716e82c23c4bec0d84dc090')::reach_sketch,
    (SELECT reach_agg(x, 10) FROM generate_series(1, 5000) x)),
('dense_p4',
    ('\x020402000000000017180f20041811040f180e0f150a150a')::reach_sketch,
    (SELECT reach_agg(x, 4) FROM generate_series(1, 100) x)),
('empty',
    ('\x020e010000000000')::reach_sketch,
    (SELECT reach_agg(x) FROM generate_series(1, 0) x));
SELECT name, reach_sketch_info(v)->>'version' AS version,
       reach_sketch_info(v)->>'representation' AS representation, length(v::bytea) AS bytes,
       reach(v) AS reach, reach(v) = reach(today) AS same_reach, v = today AS equal,
       (v || v)::bytea = today::bytea AS rewritten_is_today,
       (v || today)::bytea = today::bytea AS union_is_today,
       reach_sketch_info(v || v)->>'version' AS rewritten_version
FROM v2 ORDER BY name;
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
SELECT '\x040e010000000000'::reach_sketch;
\set VERBOSITY default
SELECT 'hello'::reach_sketch;
SELECT '\x010e01000000000'::reach_sketch;
SELECT '\x010e0100000000zz'::reach_sketch;
SELECT '\x040e010000000000'::reach_sketch;

-- malformed bytes through the bytea cast: 22P03, each with what is wrong
\set VERBOSITY sqlstate
SELECT '\x'::bytea::reach_sketch;
SELECT '\x040e010000000000'::bytea::reach_sketch;
\set VERBOSITY default
SELECT '\x'::bytea::reach_sketch;                                     -- empty
SELECT '\x010e0100'::bytea::reach_sketch;                             -- truncated header
SELECT '\x040e010000000000'::bytea::reach_sketch;                     -- version 4
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
-- (symbol, register count as a varint) table, then the Huffman-coded
-- registers; the first symbol is 0x13, held by 3 registers
CREATE TEMP TABLE packed AS SELECT reach_agg(x, 10)::bytea AS b FROM generate_series(1, 100000) x;
SELECT get_byte(b, 2) AS representation, length(b) AS bytes, b::reach_sketch IS NOT NULL AS valid FROM packed;
SELECT substr(b, 1, length(b) - 1)::reach_sketch FROM packed;                  -- truncated
SELECT (b || '\x00'::bytea)::reach_sketch FROM packed;                         -- trailing byte
SELECT set_byte(b, 4, 0)::reach_sketch FROM packed;                            -- no symbols
SELECT set_byte(b, 9, 17)::reach_sketch FROM packed;                           -- a count: 17, not 3
SELECT set_byte(b, 8, 1)::reach_sketch FROM packed;                            -- symbol not a register
SELECT set_byte(b, 3, 1)::reach_sketch FROM packed;                            -- hll_only with history bits
-- an aggregate buffer value (representation 4) with non-zero unused slots
SELECT '\x010e040001000000012ab01d00000000'::bytea::reach_sketch IS NOT NULL AS buffer_ok;
SELECT '\x010e040001000000012ab01d01000000'::bytea::reach_sketch;
SELECT '\x010e040002000000012ab01d'::bytea::reach_sketch;
-- every function checks its argument again (a forged value cannot slip in
-- through a binary-coercible path)
SELECT reach('\x010e01000000000000'::bytea::reach_sketch);
SELECT 1 AS still_up;
