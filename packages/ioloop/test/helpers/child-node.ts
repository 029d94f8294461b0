/**
 * The Node a test starts as a child process: this one, or under emulation the command
 * `native/verify/qemu-arm64.sh` gives in `ZMQ_EVENTLOOP_TEST_NODE` (qemu-user without binfmt cannot start an
 * arm64 binary from an emulated one, but can start a host script that runs it under qemu).
 */
export const CHILD_NODE = process.env.ZMQ_EVENTLOOP_TEST_NODE || process.execPath
