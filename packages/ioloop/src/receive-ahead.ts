/**
 * Whether a data path may take messages from a socket ahead of delivering them (a batch, a chunk of
 * receives): the rule both of the stream's data paths follow.
 * @module
 */
import type { Socket } from "zeromq"
import { ZMQ_TYPE, ZMQ_XPUB } from "./constants.js"
import type { ZmqSocketAccess } from "./handler-entry.js"

/**
 * Whether messages may be taken from a socket of libzmq type `socketType` before the ones taken earlier are
 * delivered. Not from an XPUB: in manual mode (`ZMQ_XPUB_MANUAL`) the `ZMQ_SUBSCRIBE` a recv callback sets
 * applies to the subscriber whose message libzmq handed out last, so a receive ahead of the callback would
 * subscribe the wrong peer. pyzmq's ZMQStream takes one message per callback; an XPUB's messages are
 * subscriptions, few enough that taking them one at a time costs nothing that shows.
 */
export function mayReceiveAhead(socketType: number): boolean {
  return socketType !== ZMQ_XPUB
}

/** {@link mayReceiveAhead} for a zeromq.js socket (a closed one may: it receives nothing more). */
export function socketMayReceiveAhead(socket: Socket): boolean {
  try {
    return mayReceiveAhead((socket as unknown as ZmqSocketAccess).getInt32Option(ZMQ_TYPE))
  } catch {
    return true
  }
}
