/**
 * Minor collections for received frames held in external memory.
 *
 * A large received frame is an external Buffer: on the native data path a frame above `OWN_FRAME_BYTES`
 * (native/data-path.ts) is libzmq's own memory, and zeromq.js hands out every frame above 128 bytes the same
 * way (its `incoming_msg.cc`). Its bytes count as external memory, and next to nothing in V8's young
 * generation. V8 runs a minor collection when enough has been allocated in the young generation, so a
 * receiver whose garbage is mostly such frames runs none, and its dropped frames wait for a full collection,
 * which V8 starts once external memory has grown by 64 MB and which marks the whole heap. (Node 20 and 22
 * also run a minor collection when young external memory passes twice the largest semi-space, at their next
 * ArrayBuffer allocation; from Node 24 not while a full collection is marking, which the same bytes start
 * first.) So every {@link CHECK_BYTES} of such frames, unless the young generation was collected meanwhile,
 * the rest of it is filled with arrays that die at once: the minor collection that follows frees the frames
 * dropped since, at the cost of the few objects still alive. Both data paths note their frames here.
 * Measured in bench/README.md, "Zero-copy thresholds".
 *
 * @module
 */
import { getHeapSpaceStatistics } from "node:v8"

/** Frame bytes received between two looks at the young generation: a quarter of the 64 MB that start a full
 * collection, so that a minor one comes first even when one came just after a look. */
const CHECK_BYTES = 16 * 1024 * 1024
/** Elements per ballast array: 64 KiB (32 KiB with pointer compression), below V8's large-object size, so the
 * arrays are allocated in the young generation itself. */
const BALLAST_ELEMENTS = 8192
/** Ballast arrays allocated between two looks at whether the young generation was collected. */
const ARRAYS_PER_LOOK = 8

let bytesSinceLook = 0
/** Holds the latest ballast array, so that no compiler drops it as unused; emptied before the next one is
 * allocated, so that none survives the collection it brings about (survivors make V8 grow the young
 * generation, and with it the next fill). */
const sink: { array?: unknown[] } = {}
/** The young generation's used bytes at the last look: less at the next means it was collected since. */
let youngUsedAtLook = 0

/** V8's young generation (its new space), in bytes. */
interface YoungGeneration {
  used: number
  available: number
}

function youngGeneration(): YoungGeneration {
  for (const space of getHeapSpaceStatistics())
    if (space.space_name === "new_space")
      return { used: space.space_used_size, available: space.space_available_size }
  return { used: 0, available: 0 }
}

/**
 * Notes `bytes` of received frames in external memory, as V8 counts them towards its next full collection
 * (zeromq.js also reports each frame's bytes with `napi_adjust_external_memory`: its frames count twice).
 */
export function noteExternalFrameBytes(bytes: number): void {
  bytesSinceLook += bytes
}

/**
 * Runs a minor collection if {@link CHECK_BYTES} of frames went by since the last look and none ran meanwhile.
 * Call it where no received frame is in hand: one that outlives a minor collection moves to the old
 * generation, and waits there for a full one.
 */
export function collectYoungGenerationIfDue(): void {
  if (bytesSinceLook < CHECK_BYTES) return
  bytesSinceLook = 0
  const young = youngGeneration()
  youngUsedAtLook = young.used < youngUsedAtLook ? young.used : fillUntilCollected(young)
}

/** Allocates arrays that die at once until the young generation is collected; returns its used bytes then. */
function fillUntilCollected(young: YoungGeneration): number {
  let used = young.used
  // The bound (all of the space available in arrays of 4-byte elements, and a look more) is never reached
  // while V8 collects a full young generation; it keeps a V8 that does not from looping.
  const looks = Math.ceil(young.available / (4 * BALLAST_ELEMENTS * ARRAYS_PER_LOOK)) + 1
  for (let look = 0; look < looks; look++) {
    for (let i = 0; i < ARRAYS_PER_LOOK; i++) {
      sink.array = undefined
      sink.array = new Array(BALLAST_ELEMENTS)
    }
    const now = youngGeneration().used
    if (now < used) break
    used = now
  }
  sink.array = undefined
  return youngGeneration().used
}
