/**
 * Helpers shared by the zmq-eventloop packages; not part of the public API (no semver promise).
 * @internal
 * @packageDocumentation
 */
export { checkFunction, checkOptionsObject, describeValue, isThenable } from "./validate.js"
export { debug } from "./logger.js"
export { isZmqSocket, type HandlerOwner } from "./handlers/handler-entry.js"
export type { SocketReader } from "./handlers/socket-reader.js"
export { bindMethods } from "./bind-methods.js"
export { retryInterrupted } from "./handlers/interrupted.js"
export { servicesOf, type LoopServices } from "./loop-services.js"
export { socketMayReceiveAhead } from "./handlers/receive-ahead.js"
export { watchSocketLife, type SocketLifeListener } from "./handlers/socket-calls.js"
export type { UserCodeRunner } from "./user-code.js"
export { LogSink } from "./logger.js"
export { errorCode, UnwatchableFdError } from "./errors.js"
export { attachDataPath, NativeDataPath, SLAB_BYTES } from "./native/data-path.js"
export { nativeDataPathRefusal, type DataPathRefusal } from "./native/availability.js"
export type { NativeMessagePart } from "./native/addon.js"
export { queueMicrotask } from "./timers/host-timers.js"
export { collectYoungGenerationIfDue, noteExternalFrameBytes } from "./young-ballast.js"
