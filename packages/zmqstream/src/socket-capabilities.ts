import type { Readable, Socket, Subscriber } from "zeromq"

// What a stream can do with its socket, where the socket's class is known to TypeScript: `onRecv` on a
// `ZMQStream<zmq.Publisher>` and `subscribe` on a `ZMQStream<zmq.Router>` fail to compile. A stream whose
// class is not known (`ZMQStream`, i.e. `ZMQStream<zmq.Socket>`: `Socket extends S` below) type-checks as
// before; the run-time TypeErrors stay for it and for JavaScript.

/** The type `this` must have for `onRecv`/`onRecvStream` where the socket's class cannot receive. */
export interface SocketClassCannotReceive {
  /** Never present: no stream is of this type. */
  readonly "onRecv needs a socket class that receives (not Publisher or Push)": never
}

/**
 * `this` of the receiving methods: anything (so they also work detached) where the socket's class can
 * receive or is not known, else {@link SocketClassCannotReceive}, which no stream is.
 */
export type ReceivingThis<S extends Socket> = Socket extends S
  ? unknown
  : S extends Pick<Readable<object[]>, "receive">
    ? unknown
    : SocketClassCannotReceive

/**
 * The arguments `subscribe`/`unsubscribe` take on a stream of `S`: prefixes, or, where the class has no
 * `subscribe`, one argument of type `never`, which no call can give. (Kept a parameter type, not the
 * method's type, so a `ZMQStream<zmq.Router>` is still a `ZMQStream`.)
 */
export type SubscribeArguments<S extends Socket> = Socket extends S
  ? Array<string | Buffer>
  : S extends Pick<Subscriber, "subscribe">
    ? Array<string | Buffer>
    : [subscribeNeedsASubscriberSocket: never]
