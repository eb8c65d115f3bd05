-- SPDX-License-Identifier: BSD-2-Clause
-- Beyond one server: on every node, schema.sql (the local tables, one shard's data) and this
-- file (tables of the Distributed engine over them, for cluster "fleet" of the servers'
-- <remote_servers>), sharded by host so a host's drops stay on one shard. Load with
-- `load.sh --database tcpdrop_all` and query tcpdrop_all.*: each node forwards rows to their
-- shard and fans queries out. The columns are schema.sql's, except that the derived DateTime
-- is an ALIAS here: ClickHouse 18.16 refuses an insert through a Distributed table that has a
-- MATERIALIZED column ("Cannot insert column ts"), and with DEFAULT it ships zeros. The test
-- (tests/integration/fleet_clickhouse.sh) checks that the two files name the same columns.
--   clickhouse-client --multiquery < tools/clickhouse/distributed.sql

CREATE DATABASE IF NOT EXISTS tcpdrop_all;

-- One row per recorded drop.
CREATE TABLE IF NOT EXISTS tcpdrop_all.drops
(
    host        String,              -- the recording host (load.sh --host overrides it)
    ts_ns       UInt64,              -- wall-clock time of the drop, ns since the Unix epoch
    ts          DateTime ALIAS toDateTime(intDiv(ts_ns, 1000000000)),
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
ENGINE = Distributed(fleet, tcpdrop, drops, cityHash64(host));

-- Drops the recorder lost (its ring buffer was full), one row per span.
CREATE TABLE IF NOT EXISTS tcpdrop_all.lost
(
    host        String,
    count       UInt64,
    `from`      String,              -- ISO 8601 UTC with nanoseconds
    `to`        String,
    ts          DateTime ALIAS parseDateTimeBestEffort(`from`)
)
ENGINE = Distributed(fleet, tcpdrop, lost, cityHash64(host));
