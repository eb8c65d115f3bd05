-- SPDX-License-Identifier: BSD-2-Clause
-- tcpdrop's tables in ClickHouse, for `tcpdrop-report --format=json` lines (JSONEachRow)
-- loaded by tools/clickhouse/load.sh. Tested on ClickHouse 18.16 (Debian 12's package),
-- which has no DateTime64 and only an experimental LowCardinality: times are nanoseconds as
-- UInt64 with a DateTime derived from them. Keys a column does not name (time, why...) are
-- skipped (input_format_skip_unknown_fields=1); columns a file's JSON lacks get their
-- default (NULL for the Nullable ones), so files of older tcpdrop versions load too.
--   clickhouse-client --multiquery < tools/clickhouse/schema.sql

CREATE DATABASE IF NOT EXISTS tcpdrop;

-- One row per recorded drop.
CREATE TABLE IF NOT EXISTS tcpdrop.drops
(
    host        String,              -- the recording host (load.sh --host overrides it)
    ts_ns       UInt64,              -- wall-clock time of the drop, ns since the Unix epoch
    ts          DateTime MATERIALIZED toDateTime(intDiv(ts_ns, 1000000000)),
    cpu         UInt32,
    pid         UInt32,              -- the task on the CPU at the drop (often a bystander)
    tid         UInt32,
    comm        String,
    family      UInt8,               -- 4 or 6
    saddr       String,
    sport       UInt16,
    daddr       String,
    dport       UInt16,
    flags       String,              -- FIN|SYN|RST|PSH|ACK|URG|ECE|CWR
    seq         UInt32,
    ack         UInt32,
    win         UInt32,
    state       Nullable(String),    -- TCP state, NULL without a socket
    reason      String,              -- without the SKB_DROP_REASON_ prefix
    reason_code UInt32,              -- the recording kernel's raw value
    location    String,              -- symbol+0xoff
    netns       UInt64,              -- inode
    netns_name  Nullable(String),
    ifindex     UInt32,
    ifname      String,
    len         Nullable(UInt32),    -- the IP datagram's length (tcpdrop 0.1.0: the skb's)
    caplen      UInt32,
    skb_len     Nullable(UInt32),    -- the socket buffer's length
    owner_pid   Nullable(UInt32),    -- the process owning the socket, where known
    owner_comm  Nullable(String),
    cgroup      Nullable(String),
    container   Nullable(String),
    stack       Array(String)        -- innermost frame first, symbol+0xoff
)
ENGINE = MergeTree
PARTITION BY toDate(ts)
ORDER BY (host, ts_ns);

-- Drops the recorder lost (its ring buffer was full), one row per span.
CREATE TABLE IF NOT EXISTS tcpdrop.lost
(
    host        String,
    count       UInt64,
    `from`      String,              -- ISO 8601 UTC with nanoseconds
    `to`        String,
    ts          DateTime MATERIALIZED parseDateTimeBestEffort(`from`)
)
ENGINE = MergeTree
PARTITION BY toDate(ts)
ORDER BY (host, ts);
