/**
 * Whether a data path may take messages from a socket ahead of delivering them (a batch, a chunk of
 * receives): the rule both of the stream's data paths follow.
 * @module
 */
import type { Socket } from "zeromq"
import { ZMQ_SUB, ZMQ_TYPE, ZMQ_XPUB } from "../constants.js"
import type { ZmqSocketAccess } from "./handler-entry.js"

/**
 * Whether messages may be taken from a socket of libzmq type `socketType` before the ones taken earlier are
 * delivered. pyzmq's ZMQStream takes one message per callback, and two socket types depend on it, as what a
 * recv callback sets applies to the messages libzmq hands out after it:
 * - a SUB: libzmq filters its messages as they are received, so after an `unsubscribe` from a callback no
 *   message of that topic arrives; a receive ahead of the callback would deliver those it took already;
 * - an XPUB in manual mode (`ZMQ_XPUB_MANUAL`): the `ZMQ_SUBSCRIBE` a recv callback sets applies to the
 *   subscriber whose message libzmq handed out last, so a receive ahead would subscribe the wrong peer.
 * Their data paths take each message after the callback of the one before, still many per dispatch.
 */
export function mayReceiveAhead(socketType: number): boolean {
  return socketType !== ZMQ_SUB && socketType !== ZMQ_XPUB
}

/** {@link mayReceiveAhead} for a zeromq.js socket (a closed one may: it receives nothing more). */
export function socketMayReceiveAhead(socket: Socket): boolean {
  try {
    return mayReceiveAhead((socket as unknown as ZmqSocketAccess).getInt32Option(ZMQ_TYPE))
  } catch {
    return true
  }
}
