/** Thrown (as a rejection) by `IOLoop.runSync` when its `timeout` passes before the function settles. */
export class TimeoutError extends Error {
  constructor(message: string) {
    super(message)
    this.name = "TimeoutError"
  }
}
