// Medians of the runs and the markdown tables `pnpm bench` prints.
import { QUIET_PCT } from "./cpu.mjs"
import { C_LIBZMQ, IMPLS, OURS, OURS_ZEROMQ_PATH, PLAIN } from "./impls.mjs"
import { median } from "./median.mjs"
import { RSS } from "./workloads.mjs"

/**
 * One row per workload and metric (peak RSS included): the median over the
 * successful runs of each implementation, and ours / plain.
 */
export function medianRows(workloads, records) {
  const rows = []
  for (const workload of workloads) {
    for (const metric of [...workload.metrics, RSS]) {
      const row = { workload: workload.id, metric: metric.key, better: metric.better }
      for (const impl of IMPLS) {
        const values = records
          .filter((r) => r.workload === workload.id && r.impl === impl.name && r.ok)
          .map((r) => r.result[metric.key])
          .filter((v) => typeof v === "number")
        row[impl.name] = median(values)
      }
      const plain = row[PLAIN.name]
      const ours = row[OURS.name]
      const oursZeromq = row[OURS_ZEROMQ_PATH.name]
      const comparable = plain && !metric.noRatio
      row.ratio = comparable && ours !== null ? ours / plain : null
      row.zeromqPathRatio = comparable && oursZeromq !== null ? oursZeromq / plain : null
      const c = row[C_LIBZMQ.name]
      row.cRatio = c && ours !== null && !metric.noRatio ? ours / c : null
      rows.push(row)
    }
  }
  return rows
}

/** Markdown: the medians table, then the runs that failed (first error line each). */
export function markdown(workloads, rows, records, { runs, peer }) {
  const out = [
    `Medians of ${runs} interleaved run(s) per cell; peer = ${peer} (timers: no peer).`,
    "ours/plain: for 'higher is better' metrics (throughput) above 1 means ours is faster;",
    "for 'lower is better' metrics (latency, time, memory) below 1 means ours is faster.",
    "",
    `| workload | N | metric | better | ${IMPLS.map((impl) => impl.name).join(" | ")} | ours/plain | zeromq.js path/plain | ours/C |`,
    `|---|---:|---|---|${IMPLS.map(() => "---:|").join("")}---:|---:|---:|`,
  ]
  for (const workload of workloads) {
    for (const metric of [...workload.metrics, RSS]) {
      const row = rows.find((r) => r.workload === workload.id && r.metric === metric.key)
      const cells = IMPLS.map((impl) =>
        cell(row[impl.name], metric, failureOf(records, workload.id, impl.name)),
      )
      const ratio = row.ratio === null ? "" : row.ratio.toFixed(2)
      const zeromqPath = row.zeromqPathRatio === null ? "" : row.zeromqPathRatio.toFixed(2)
      const ofC = row.cRatio === null ? "" : row.cRatio.toFixed(2)
      out.push(
        `| ${workload.label} | ${workload.n} | ${metric.unit} | ${metric.better} | ${cells.join(" | ")} | ${ratio} | ${zeromqPath} | ${ofC} |`,
      )
    }
  }
  const failed = records.filter((r) => !r.ok)
  out.push("", `failed runs: ${failed.length} of ${records.length}`)
  for (const r of failed) out.push(`- run ${r.run} ${r.impl} ${r.workload}: ${r.error}`)
  const disturbed = records.filter((r) => r.disturbed)
  if (disturbed.length) {
    out.push(
      `runs disturbed by other processes (> ${QUIET_PCT}% of a core): ${disturbed.length} of ${records.length}` +
        " (treat their figures with care)",
    )
  }
  return out.join("\n")
}

function failureOf(records, workloadId, implName) {
  const mine = records.filter((r) => r.workload === workloadId && r.impl === implName)
  return mine.length && mine.every((r) => !r.ok) ? "failed" : null
}

function cell(value, metric, failure) {
  if (value === null) return failure ?? "n/a"
  const scaled = value * (metric.scale ?? 1)
  return scaled.toLocaleString("en-US", {
    minimumFractionDigits: metric.digits,
    maximumFractionDigits: metric.digits,
  })
}

/** The headline figure of one run, for its progress line. */
export function headline(workload, result) {
  const metric = workload.metrics[0]
  return `${cell(result[metric.key], metric)} ${metric.unit}`
}
