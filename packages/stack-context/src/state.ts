import { AsyncLocalStorage } from "node:async_hooks"

/**
 * One entry of the context stack: what {@link wrap} captures and replays. Implemented by
 * `StackContext` and `ExceptionStackContext`.
 * @internal
 */
export interface StackEntry {
  /** `false` once `deactivate()` was called: later re-entries by wrapped callbacks skip the entry. */
  readonly active: boolean
  /** Runs `fn` inside this context only. The stack itself is already set by the caller. */
  [ENTER]<T>(fn: () => T): T
}

/** Key of {@link StackEntry}'s enter method; not exported from the package, so it stays internal. */
export const ENTER: unique symbol = Symbol("stack-context.enter")

/** The active contexts, outermost first. Never mutated: entering a context makes a new array. */
export type Stack = readonly StackEntry[]

/** The one empty stack. Every empty stack we store is this array, so `NullContext` costs nothing. */
export const EMPTY: Stack = Object.freeze([])

/**
 * Where the stack lives (tornado: the thread-local `_state.contexts`). An AsyncLocalStorage rather than a
 * module variable so that the stack follows `await` and Node's own async resources (timers, immediates):
 * a callback wrapped after an `await` inside `ctx.run` captures the contexts of that `run`.
 * `undefined` (nothing ever entered on this async path) means the same as {@link EMPTY}.
 */
export const storage = new AsyncLocalStorage<Stack>()

/** The stack active here. */
export function currentStack(): Stack {
  return storage.getStore() ?? EMPTY
}

/** Runs `fn` with `entry` pushed on the current stack and entered (`ctx.run` for both context kinds). */
export function runInside<T>(entry: StackEntry, fn: () => T): T {
  return storage.run([...currentStack(), entry], enterOne, entry, fn)
}

function enterOne<T>(entry: StackEntry, fn: () => T): T {
  return entry[ENTER](fn)
}

/**
 * `stack` without its deactivated entries: the same array when none is deactivated (the usual case, no
 * allocation), {@link EMPTY} when none is left (tornado: `_remove_deactivated`).
 */
export function removeDeactivated(stack: Stack): Stack {
  let index = 0
  while (index < stack.length && stack[index]!.active) index++
  if (index === stack.length) return stack
  const kept = stack.filter((entry) => entry.active)
  return kept.length === 0 ? EMPTY : kept
}
