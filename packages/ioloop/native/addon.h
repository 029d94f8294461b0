/*
 * addon.h: the parts of the one addon (build.mjs compiles every native/ C file into it) and the
 * helpers they share. Each part adds its exports to the module object; addon.c calls them from
 * the module's init, once per env (the main thread and every worker thread that loads it).
 */
#ifndef ZMQ_EVENTLOOP_ADDON_H
#define ZMQ_EVENTLOOP_ADDON_H

#define NAPI_VERSION 8
#include <node_api.h>

/* The fd watcher (fd_watcher.c): exports FdWatcher. */
napi_value fd_watcher_init(napi_env env, napi_value exports);

/* The fd set (fd_set.c): exports fdSet, an object of functions on an epoll set. */
napi_value fd_set_init(napi_env env, napi_value exports);

/* The native data path (data_path.c): exports dataPath, an object of functions. */
napi_value data_path_init(napi_env env, napi_value exports);

/* In a function returning napi_value: return NULL (an exception is pending) unless `call` succeeds. */
#define CHECK_NAPI(call)                                              \
  do {                                                                \
    if ((call) != napi_ok) return NULL; /* an exception is pending */ \
  } while (0)

/* Throw a TypeError (RangeError with `range`) whose message names the argument and shows what was
 * received: "<what> (got 1.5)" for a number, "<what> (got string)" for anything else. Returns NULL
 * for `return throw_arg(...)`. */
napi_value throw_arg(napi_env env, int range, const char* what, napi_value got);

/* Throw an Error shaped like Node's own libuv errors: "EBADF: bad file descriptor, uv_poll_init"
 * with code "EBADF", errno -9 and syscall "uv_poll_init". Returns NULL for `return throw_uv(...)`. */
napi_value throw_uv(napi_env env, int err, const char* syscall);


/* Read a JS number that must be an integer in [min, max] into *out; 0 if it is not. */
int get_int(napi_env env, napi_value value, int min, int max, int* out);

#endif
