/*
 * fd_set.c: an epoll set of the loop's own, so that the fd poller watches one fd per loop however
 * many sockets and fds it watches: the set's fd, with one FdWatcher, readable while any member is
 * ready. A member is the caller's fd itself, never a dup (epoll keeps each set's registrations
 * apart, so a socket's ZMQ_FD that zeromq.js polls on Node's own epoll set can be a member here).
 * Stateless functions on the set's fd; what a member's readiness means is the TypeScript side's
 * business (src/native/fd-set.ts declares this shape):
 *
 *   fdSet.create()                        -> the set's fd (close-on-exec)
 *   fdSet.close(set)                      close it (not fs.closeSync: in a worker thread Node warns
 *                                            of closing an fd it did not open)
 *   fdSet.add(set, fd, events, token)     watch `fd` for `events` (UV_READABLE | UV_WRITABLE)
 *   fdSet.modify(set, fd, events, token)  change them
 *   fdSet.remove(set, fd)                 stop watching it; a no-op for an fd the set does not hold
 *   fdSet.wait(set, ready)                -> count: the ready members, without waiting, as
 *                                            (token, result) pairs in the Int32Array `ready`
 *   fdSet.check(fd, events)               -> result: one fd asked now with poll(2), member or not
 *
 * A member's result is what zmq_poll reports for a plain fd (its ZMQ_POLLIN, ZMQ_POLLOUT and
 * ZMQ_POLLERR): the ready UV_READABLE | UV_WRITABLE bits of interest, and FD_SET_ERROR for anything
 * else the kernel says of the fd (an error, a hang-up, or for check() a closed fd), beside them: a
 * pipe's write end whose reader is gone is writable and in error, a read end whose writer is gone is
 * in error, and readable while data is left. (libuv's uv_poll instead hands a lone hang-up to the
 * events of interest, so a read end with nothing left reads as readable, and drops the readiness of
 * an fd in error.) The set is level-triggered, as zmq_poll and uv_poll are. Linux only (epoll);
 * elsewhere fdSet is not exported and the loop uses the interval poller.
 */
#include "addon.h"

#ifdef __linux__

#include <uv.h>

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <unistd.h>

/* A member's result bit for an error or a hang-up (src/native/fd-set.ts: FD_ERROR). */
#define FD_SET_ERROR 4

/* A member's result for the poll(2) or epoll bits `revents` (they are the same on Linux): neither
 * reports POLLIN or POLLOUT unless asked for, and both always report POLLERR and POLLHUP. */
static int member_result(int revents) {
  return (revents & POLLIN ? UV_READABLE : 0) | (revents & POLLOUT ? UV_WRITABLE : 0) |
         (revents & ~(POLLIN | POLLOUT) ? FD_SET_ERROR : 0);
}

static napi_value create(napi_env env, napi_callback_info info) {
  napi_value result;
  int set = epoll_create1(EPOLL_CLOEXEC);
  (void)info;
  if (set < 0) return throw_uv(env, -errno, "epoll_create1");
  if (napi_create_int32(env, set, &result) != napi_ok) {
    close(set);
    return NULL;
  }
  return result;
}

static napi_value close_set(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int set;
  CHECK_NAPI(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (!get_int(env, argv[0], 0, INT32_MAX, &set))
    return throw_arg(env, 0, "set must be a non-negative integer", argv[0]);
  if (close(set) != 0 && errno != EINTR) return throw_uv(env, -errno, "close");
  return NULL;
}

/* argv[0] the set, argv[1] the member fd: 1, or 0 with a TypeError pending. */
static int get_fds(napi_env env, napi_value* argv, int* set, int* fd) {
  if (!get_int(env, argv[0], 0, INT32_MAX, set)) {
    throw_arg(env, 0, "set must be a non-negative integer", argv[0]);
    return 0;
  }
  if (!get_int(env, argv[1], 0, INT32_MAX, fd)) {
    throw_arg(env, 0, "fd must be a non-negative integer", argv[1]);
    return 0;
  }
  return 1;
}

static napi_value control(napi_env env, napi_callback_info info, int op) {
  size_t argc = 4;
  napi_value argv[4];
  int set, fd, events, token;
  struct epoll_event request = {0};
  CHECK_NAPI(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (!get_fds(env, argv, &set, &fd)) return NULL;
  if (!get_int(env, argv[2], 0, UV_READABLE | UV_WRITABLE, &events))
    return throw_arg(env, 1, "events must be a mask of UV_READABLE (1) and UV_WRITABLE (2)",
                     argv[2]);
  if (!get_int(env, argv[3], 0, INT32_MAX, &token))
    return throw_arg(env, 0, "token must be a non-negative integer", argv[3]);
  request.events = (events & UV_READABLE ? EPOLLIN : 0) | (events & UV_WRITABLE ? EPOLLOUT : 0);
  request.data.u32 = (uint32_t)token;
  if (epoll_ctl(set, op, fd, &request) != 0) return throw_uv(env, -errno, "epoll_ctl");
  return NULL;
}

static napi_value add(napi_env env, napi_callback_info info) {
  return control(env, info, EPOLL_CTL_ADD);
}

static napi_value modify(napi_env env, napi_callback_info info) {
  return control(env, info, EPOLL_CTL_MOD);
}

static napi_value remove_member(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int set, fd;
  CHECK_NAPI(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (!get_fds(env, argv, &set, &fd)) return NULL;
  /* ENOENT: not a member; EBADF: the fd was closed, which took it out of the set already. */
  if (epoll_ctl(set, EPOLL_CTL_DEL, fd, NULL) != 0 && errno != ENOENT && errno != EBADF)
    return throw_uv(env, -errno, "epoll_ctl");
  return NULL;
}

/* For a caller that cannot wait for libuv's next poll phase (it comes after Node's timers phase):
 * what wait() would report for `fd` this instant, member of a set or not. Never throws for the fd's
 * state. */
static napi_value check(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], result;
  int fd, events, ready;
  struct pollfd request;
  CHECK_NAPI(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (!get_int(env, argv[0], 0, INT32_MAX, &fd))
    return throw_arg(env, 0, "fd must be a non-negative integer", argv[0]);
  if (!get_int(env, argv[1], 0, UV_READABLE | UV_WRITABLE, &events))
    return throw_arg(env, 1, "events must be a mask of UV_READABLE (1) and UV_WRITABLE (2)",
                     argv[1]);
  request.fd = fd;
  request.events = (events & UV_READABLE ? POLLIN : 0) | (events & UV_WRITABLE ? POLLOUT : 0);
  request.revents = 0;
  do
    ready = poll(&request, 1, 0);
  while (ready < 0 && errno == EINTR);
  ready = ready < 0 ? -errno : member_result(request.revents);
  CHECK_NAPI(napi_create_int32(env, ready, &result));
  return result;
}

/* At most this many members a call: the rest stay ready (level-triggered) for the next. */
#define WAIT_BATCH 1024

static napi_value wait_ready(napi_env env, napi_callback_info info) {
  size_t argc = 2, length, i;
  napi_value argv[2], result;
  napi_typedarray_type type;
  int32_t* ready;
  int set, count;
  struct epoll_event events[WAIT_BATCH];
  CHECK_NAPI(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (!get_int(env, argv[0], 0, INT32_MAX, &set))
    return throw_arg(env, 0, "set must be a non-negative integer", argv[0]);
  if (napi_get_typedarray_info(env, argv[1], &type, &length, (void**)&ready, NULL, NULL) !=
          napi_ok ||
      type != napi_int32_array || length < 2)
    return throw_arg(env, 0, "ready must be an Int32Array of at least 2 elements", argv[1]);
  do
    count = epoll_wait(set, events, (int)(length / 2 < WAIT_BATCH ? length / 2 : WAIT_BATCH), 0);
  while (count < 0 && errno == EINTR);
  if (count < 0) return throw_uv(env, -errno, "epoll_wait");
  for (i = 0; i < (size_t)count; i++) {
    ready[2 * i] = (int32_t)events[i].data.u32;
    ready[2 * i + 1] = member_result((int)events[i].events);
  }
  CHECK_NAPI(napi_create_int32(env, count, &result));
  return result;
}

napi_value fd_set_init(napi_env env, napi_value exports) {
  napi_value functions;
  napi_property_descriptor props[] = {
      {"create", NULL, create, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, close_set, NULL, NULL, NULL, napi_enumerable, NULL},
      {"add", NULL, add, NULL, NULL, NULL, napi_enumerable, NULL},
      {"modify", NULL, modify, NULL, NULL, NULL, napi_enumerable, NULL},
      {"remove", NULL, remove_member, NULL, NULL, NULL, napi_enumerable, NULL},
      {"wait", NULL, wait_ready, NULL, NULL, NULL, napi_enumerable, NULL},
      {"check", NULL, check, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  CHECK_NAPI(napi_create_object(env, &functions));
  CHECK_NAPI(napi_define_properties(env, functions, sizeof props / sizeof props[0], props));
  CHECK_NAPI(napi_set_named_property(env, exports, "fdSet", functions));
  return exports;
}

#else

napi_value fd_set_init(napi_env env, napi_value exports) {
  (void)env;
  return exports;
}

#endif
