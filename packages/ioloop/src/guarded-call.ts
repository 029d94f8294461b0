import type { IOLoop } from "./ioloop.js"
import { isThenable } from "./validate.js"

/**
 * Calls `callback()` and hands what it throws, or what its returned promise rejects with, to
 * `loop.handleCallbackException`, for add-ons that must do work after the callback whatever happens.
 */
export function callReportingErrors(loop: IOLoop, callback: () => unknown): void {
  try {
    const result = callback()
    if (isThenable(result)) {
      result.then(undefined, (error: unknown) => loop.handleCallbackException(callback, error))
    }
  } catch (error) {
    loop.handleCallbackException(callback, error)
  }
}
