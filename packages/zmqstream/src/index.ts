export { ZMQStream, type RecvOptions, type ZMQStreamOptions } from "./zmqstream.js"
export {
  SendQueueFullError,
  type SendQueueLimit,
  type SendQueueLimitOptions,
  type WhenQueueFull,
} from "./send-queue-limit.js"
export type { DataPath } from "./data-path.js"
export { POLLIN, POLLOUT, POLLERR, SNDMORE, DONTWAIT } from "./constants.js"
export { Poller, type PollEvents, type PollTarget } from "./poller.js"
export type { Frame } from "./frame.js"
export type { Part, SendablePart, SendOptions } from "./parts.js"
export type { ReceivingThis, SocketClassCannotReceive, SubscribeArguments } from "./socket-capabilities.js"
export type {
  LinkedSocketMethods,
  SocketOptionArgument,
  SocketOptionInput,
  SocketOptionName,
  SocketOptionSpec,
  SocketOptionSpecNamed,
  SocketOptionValue,
  SocketOptionValues,
} from "./socket-links.js"
export { dumpJson, loadJson } from "./serialization/json.js"
export { dumpPyobj, type PickleProtocol } from "./serialization/pickle.js"
export { loadPyobj, type LoadPyobjOptions } from "./serialization/unpickle.js"
