export { ZMQStream, type RecvOptions, type ZMQStreamOptions } from "./zmqstream.js"
export {
  SendQueueFullError,
  type SendQueueLimit,
  type SendQueueLimitOptions,
  type WhenQueueFull,
} from "./send/send-queue-limit.js"
export type { DataPath } from "./data-path/data-path.js"
export { POLLIN, POLLOUT, POLLERR, SNDMORE, DONTWAIT } from "./constants.js"
export { Poller, type PollEvents, type PollTarget } from "./poller/poller.js"
export type { Frame } from "./receive/frame.js"
export type { Part, SendablePart, SendOptions } from "./send/parts.js"
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
