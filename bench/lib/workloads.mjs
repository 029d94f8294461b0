// The workloads `pnpm bench` runs: the same matrix, counts and metrics as the
// shared baselines' RESULTS.md, so figures can be set side by side. `size` is
// the message size in bytes, or the window in ms for timers. `better` says which
// way a metric improves; it decides how the ours/plain ratio reads.
const MSGS = { key: "msgs_per_s", unit: "msg/s", better: "higher", digits: 0 }
const MB = { key: "mb_per_s", unit: "MB/s", better: "higher", digits: 2 }
const RTT_MEAN = { key: "mean_us", unit: "µs mean", better: "lower", digits: 1 }
const RTT_P99 = { key: "p99_us", unit: "µs p99", better: "lower", digits: 1 }
const TOTAL = { key: "total_ms", unit: "ms total", better: "lower", digits: 1 }
const SCHEDULE = { key: "schedule_ms", unit: "ms scheduling", better: "lower", digits: 1 }
const CANCEL = { key: "cancel_ms", unit: "ms cancelling", better: "lower", digits: 1 }
// How late the last timeout fired (<= 0: on time); a difference to compare, not a ratio.
const LATE = { key: "late_ms", unit: "ms late (last fire)", better: "lower", digits: 1, noRatio: true }
// The timers' work (schedule + cancel + fire) without the window's waiting: event-loop active time, CPU time.
const BUSY = { key: "busy_ms", unit: "ms busy (loop active)", better: "lower", digits: 1 }
const CPU = { key: "cpu_ms", unit: "ms CPU", better: "lower", digits: 1 }
const RSS_GROWTH = { key: "rss_growth_mb", unit: "MiB RSS growth", better: "lower", digits: 1 }
const ROUND_TRIPS = { key: "round_trips_per_s", unit: "round trips/s", better: "higher", digits: 0 }

export const WORKLOADS = [
  {
    id: "push_pull_64",
    script: "push_pull",
    n: 200_000,
    size: 64,
    label: "PUSH->PULL 64 B",
    metrics: [MSGS, MB],
  },
  {
    id: "push_pull_1k",
    script: "push_pull",
    n: 200_000,
    size: 1024,
    label: "PUSH->PULL 1 KiB",
    metrics: [MSGS, MB],
  },
  {
    id: "push_pull_16k",
    script: "push_pull",
    n: 50_000,
    size: 16 * 1024,
    label: "PUSH->PULL 16 KiB",
    metrics: [MSGS, MB],
  },
  {
    id: "push_pull_64k",
    script: "push_pull",
    n: 20_000,
    size: 64 * 1024,
    label: "PUSH->PULL 64 KiB",
    metrics: [MSGS, MB],
  },
  {
    id: "push_pull_256k",
    script: "push_pull",
    n: 5_000,
    size: 256 * 1024,
    label: "PUSH->PULL 256 KiB",
    metrics: [MSGS, MB],
  },
  {
    id: "push_pull_1m",
    script: "push_pull",
    n: 2_000,
    size: 1024 * 1024,
    label: "PUSH->PULL 1 MiB",
    metrics: [MSGS, MB],
  },
  {
    id: "pingpong",
    script: "pingpong",
    n: 20_000,
    size: 64,
    label: "DEALER->ROUTER ping-pong 64 B",
    metrics: [RTT_MEAN, RTT_P99],
  },
  { id: "pipeline", script: "pipeline", n: 100_000, size: 64, label: "pipelined echo 64 B", metrics: [MSGS] },
  { id: "pubsub", script: "pubsub", n: 200_000, size: 64, label: "PUB->SUB 64 B", metrics: [MSGS] },
  {
    id: "timers",
    script: "timers",
    n: 100_000,
    size: 1000,
    label: "timers, cancel half, 1 s window",
    metrics: [TOTAL, BUSY, CPU, SCHEDULE, CANCEL],
    peerless: true,
  },
  {
    id: "timers_1m",
    script: "timers",
    n: 1_000_000,
    size: 2000,
    label: "1M timers, cancel half, 2 s window",
    metrics: [TOTAL, BUSY, CPU, SCHEDULE, CANCEL, LATE],
    peerless: true,
  },
  // A PUSH sends N messages to a reader that starts reading only after STALL_MS (lib/common.mjs): how much
  // memory the sender's queue takes meanwhile. Ours bounds it at 10,000 messages (ZMQ_BENCH_SEND_QUEUE_LIMIT).
  {
    id: "send_queue",
    script: "send_queue",
    n: 2_000_000,
    size: 64,
    label: "2M sends to a stalled peer (reads after 1 s), 64 B",
    metrics: [MSGS, RSS_GROWTH],
    noC: true,
  },
  // N ROUTER<->DEALER pairs in one process, one message in flight each: `size` is the number of pairs.
  ...[1, 100, 1000, 5000].map((pairs) => ({
    id: `pairs_${pairs}`,
    script: "pairs",
    n: 50_000,
    size: pairs,
    label: `${pairs} ROUTER<->DEALER pairs, 64 B, one in flight each`,
    metrics: [ROUND_TRIPS],
    peerless: true,
  })),
]

/** The peak RSS of the side under test, reported by every script. */
export const RSS = { key: "max_rss_kb", unit: "peak RSS MiB", better: "lower", digits: 1, scale: 1 / 1024 }

/** Loop micro-benchmarks, run once each (each compares against its baseline in the same process). */
export const MICRO = [
  "add-callback",
  "timeouts",
  "wrap",
  "native-data-path",
  "idle-stream-memory",
  "interval-toggle",
  "interval-poller",
  "poller",
  "zero-copy-thresholds",
  "zeromq-versions",
]
