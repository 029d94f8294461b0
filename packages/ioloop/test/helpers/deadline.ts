// A test's deadline: the promise of the event it waits for, rejected if the event has not come in time.

/** The timers a deadline runs on: the globals, or the real ones while a test fakes the globals. */
export interface DeadlineTimers {
  readonly setTimeout: typeof setTimeout
  readonly clearTimeout: typeof clearTimeout
}

/** `promise`, or a rejection naming `what` once `ms` pass. */
export function within<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
  timers: DeadlineTimers = { setTimeout, clearTimeout },
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = timers.setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)
    promise.then(
      (value) => {
        timers.clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        timers.clearTimeout(timer)
        reject(error as Error)
      },
    )
  })
}
