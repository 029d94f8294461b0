import { ExceptionStackContext } from "./exception-stack-context.js"
import { NullContext } from "./null-context.js"
import { StackContext } from "./stack-context.js"
import { describe } from "./validate.js"

/**
 * `context.run(fn)`, for code ported from tornado's `run_with_stack_context(context, func)`. tornado
 * needed it because a `yield` inside `with StackContext(...)` corrupts the stack in a coroutine:
 *
 * ```ts
 * // tornado, wrong:  with StackContext(ctx): yield other_coroutine()
 * // tornado, right:  yield run_with_stack_context(StackContext(ctx), other_coroutine)
 * await runWithStackContext(new StackContext(around), otherAsyncFunction)   // here
 * await new StackContext(around).run(otherAsyncFunction)                    // the same
 * ```
 * Here `await` inside `ctx.run(async () => …)` is safe too.
 *
 * @throws TypeError when `context` is not one of the three context classes or `fn` is not a function.
 */
export function runWithStackContext<T>(context: ExceptionStackContext, fn: () => T): T | undefined
export function runWithStackContext<T>(context: StackContext | NullContext, fn: () => T): T
export function runWithStackContext<T>(
  context: StackContext | ExceptionStackContext | NullContext,
  fn: () => T,
): T | undefined
export function runWithStackContext<T>(
  context: StackContext | ExceptionStackContext | NullContext,
  fn: () => T,
): T | undefined {
  if (!(
    context instanceof StackContext ||
    context instanceof ExceptionStackContext ||
    context instanceof NullContext
  )) {
    throw new TypeError(
      `context must be a StackContext, ExceptionStackContext or NullContext, got ${describe(context)}`,
    )
  }
  return context.run(fn)
}
