/*
 * fd_watcher.c: watch one file descriptor with uv_poll on Node's own event loop and call one JS
 * function per wake-up. It knows nothing of zmq: which fd, which events and what a wake-up means
 * are the TypeScript side's business (src/native/fd-watcher.ts declares this shape).
 *
 *   new FdWatcher(fd, duplicate, onEvent(status, events))
 *   start(events) / stop() / ref() / unref() / close() / get fd
 *
 * Lifetime. The watcher struct is shared by two owners, the JS wrapper (napi_wrap) and the libuv
 * handle, and is freed when both are done with it: the wrapper when its finalizer has run, the
 * handle when its uv_close callback has run. Either can happen first (close() then GC, or GC of an
 * unclosed watcher, whose finalizer does the close).
 *
 * Environment teardown (a worker thread exiting with a watcher still open): Node unloads the addon
 * after the env is freed, and a uv_close callback still queued then would jump into unmapped code
 * (seen: SIGSEGV in uv__finish_close). So each watcher registers an async cleanup hook, which
 * closes it at teardown; Node keeps running the loop until the close callback removes the hook.
 *
 * POSIX only (dup, fcntl, a plain fd for uv_poll_init); build.mjs does not build it on Windows.
 */
#include "addon.h"

#include <uv.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct {
  uv_poll_t handle;                 /* handle.data points back here */
  napi_env env;
  napi_ref on_event;                /* the callback: strong while started, NULL once released */
  napi_async_context async_context; /* gives each wake-up its own async_hooks scope */
  int fd;                           /* the fd being watched (the dup when duplicate) */
  int owns_fd;                      /* we dup'd it, so close() closes it */
  int closed;                       /* close() or the finalizer ran; methods now throw */
  int dispatching;                  /* inside onEvent: release JS state after it returns */
  int started;                      /* start() ran since the last stop(): on_event is strong */
  int handle_closed;                /* uv_close callback ran */
  int finalized;                    /* wrapper finalizer ran */
  napi_async_cleanup_hook_handle teardown_hook; /* removed in the close callback */
} watcher_t;

static void maybe_free(watcher_t* w) {
  if (w->handle_closed && w->finalized) free(w);
}

static void on_handle_closed(uv_handle_t* handle) {
  watcher_t* w = handle->data;
  if (w->teardown_hook != NULL) napi_remove_async_cleanup_hook(w->teardown_hook);
  w->handle_closed = 1;
  maybe_free(w);
}

/* Drop the JS callback and async context. Not while onEvent runs (it may call close() on its own
 * watcher): on_poll releases them once napi_make_callback has returned. */
static void release_js(watcher_t* w) {
  if (w->dispatching) return;
  if (w->on_event != NULL) napi_delete_reference(w->env, w->on_event);
  if (w->async_context != NULL) napi_async_destroy(w->env, w->async_context);
  w->on_event = NULL;
  w->async_context = NULL;
}

/* close() and the finalizer. uv_poll_stop before close(fd): epoll must forget the fd while it is
 * still ours, else a new fd reusing the number could be confused with it. */
static void close_watcher(watcher_t* w) {
  if (w->closed) return;
  w->closed = 1;
  uv_poll_stop(&w->handle);
  if (w->owns_fd) close(w->fd);
  uv_close((uv_handle_t*)&w->handle, on_handle_closed);
  release_js(w);
}

static void on_env_teardown(napi_async_cleanup_hook_handle hook, void* data) {
  (void)hook; /* the same as teardown_hook, removed by on_handle_closed */
  close_watcher(data);
}

static void on_poll(uv_poll_t* handle, int status, int events) {
  watcher_t* w = handle->data;
  napi_env env = w->env;
  napi_handle_scope scope;
  napi_value callback, global, argv[2], result, exception;
  bool pending = false;
  if (w->closed || w->on_event == NULL) return;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  /* Strong while started; a wake-up libuv had queued before a stop() may find it collected. */
  if (napi_get_reference_value(env, w->on_event, &callback) != napi_ok || callback == NULL) {
    napi_close_handle_scope(env, scope);
    return;
  }
  napi_get_global(env, &global);
  napi_create_int32(env, status, &argv[0]);
  napi_create_int32(env, events, &argv[1]);
  w->dispatching = 1;
  /* napi_make_callback rather than napi_call_function: it enters the async context and, since we
   * are called straight from libuv with no JS on the stack, runs process.nextTick callbacks and
   * drains the microtask queue afterwards, as Node does after its own I/O callbacks. */
  napi_make_callback(env, w->async_context, global, callback, 2, argv, &result);
  /* An exception thrown by onEvent has no JS caller to reach, and left pending it would make
   * every later N-API call in this env fail. Hand it to Node as it would a throw in any I/O
   * callback: process 'uncaughtException', else print and exit. (napi_make_callback also reports
   * napi_pending_exception with nothing pending when JS cannot run, at env teardown; hence the
   * explicit check.) */
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending &&
      napi_get_and_clear_last_exception(env, &exception) == napi_ok)
    napi_fatal_exception(env, exception);
  w->dispatching = 0;
  if (w->closed) release_js(w); /* onEvent called close() */
  napi_close_handle_scope(env, scope);
}

static void finalize(napi_env env, void* data, void* hint) {
  watcher_t* w = data;
  (void)env;
  (void)hint;
  /* Garbage collected without close(), or env teardown: close now; the uv_close callback frees
   * (or frees at once if it already ran after an earlier close()). */
  close_watcher(w);
  w->finalized = 1;
  maybe_free(w);
}

/* The watcher behind `this` (V8 has already checked that `this` is an FdWatcher: the methods
 * carry napi_define_class's receiver signature). With `open`, throw "FdWatcher is closed" after
 * close(). NULL when an exception is pending. */
static watcher_t* unwrap(napi_env env, napi_callback_info info, napi_value* argv, int open) {
  size_t argc = argv == NULL ? 0 : 1;
  napi_value self;
  watcher_t* w = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, &self, NULL) != napi_ok ||
      napi_unwrap(env, self, (void**)&w) != napi_ok)
    return NULL;
  if (open && w->closed) {
    napi_throw_error(env, NULL, "FdWatcher is closed");
    return NULL;
  }
  return w;
}

static napi_value construct(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], self, new_target, name;
  napi_property_descriptor callback_property = {"onEvent", NULL, NULL, NULL, NULL, NULL, napi_default, NULL};
  napi_valuetype type;
  bool duplicate;
  int fd, err;
  watcher_t* w;
  CHECK_NAPI(napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  CHECK_NAPI(napi_get_new_target(env, info, &new_target));
  if (new_target == NULL) {
    napi_throw_type_error(env, NULL, "Class constructor FdWatcher cannot be invoked without 'new'");
    return NULL;
  }
  /* Missing arguments read as undefined (napi_get_cb_info fills argv). */
  if (!get_int(env, argv[0], 0, INT32_MAX, &fd))
    return throw_arg(env, 0, "fd must be a non-negative integer", argv[0]);
  if (napi_get_value_bool(env, argv[1], &duplicate) != napi_ok)
    return throw_arg(env, 0, "duplicate must be a boolean", argv[1]);
  if (napi_typeof(env, argv[2], &type) != napi_ok || type != napi_function)
    return throw_arg(env, 0, "onEvent must be a function", argv[2]);

  /* F_DUPFD_CLOEXEC: the dup must not leak into child processes. The dup shares the open file
   * description, so uv_poll_init making it non-blocking also affects the original fd (a ZMQ_FD
   * is non-blocking already). */
  if (duplicate && (fd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) < 0) return throw_uv(env, -errno, "dup");
  w = calloc(1, sizeof *w);
  if (w == NULL) {
    if (duplicate) close(fd);
    return throw_uv(env, UV_ENOMEM, "malloc");
  }
  w->env = env;
  w->fd = fd;
  w->owns_fd = duplicate;
  w->handle.data = w;
  {
    uv_loop_t* loop;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok) goto fail_no_handle;
    /* EEXIST when this loop already polls the fd, e.g. a zeromq.js socket's own ZMQ_FD: that is
     * what duplicate is for. */
    if ((err = uv_poll_init(loop, &w->handle, fd)) != 0) {
      throw_uv(env, err, "uv_poll_init");
      goto fail_no_handle;
    }
  }
  /* From here on the handle is in the loop and must be released through uv_close. */
  /* Like a Node handle, a started watcher keeps its callback (and what it reaches) alive, a stopped one
   * does not: the wrapper holds the callback, so a stopped watcher and its callback can be collected
   * together even when the callback reaches the wrapper (an event loop's poller holds its watchers, and
   * their callbacks hold the poller: a strong reference here would keep a dropped loop forever). */
  callback_property.value = argv[2];
  if (napi_add_async_cleanup_hook(env, on_env_teardown, w, &w->teardown_hook) != napi_ok ||
      napi_create_reference(env, argv[2], 0, &w->on_event) != napi_ok ||
      napi_define_properties(env, self, 1, &callback_property) != napi_ok ||
      napi_create_string_utf8(env, "FdWatcher", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      /* No resource object: Node 26 holds an async context's resource strongly until
       * napi_async_destroy, so `self` there would keep the wrapper from ever being collected. */
      napi_async_init(env, NULL, name, &w->async_context) != napi_ok ||
      napi_wrap(env, self, w, finalize, NULL, NULL) != napi_ok) {
    close_watcher(w);
    w->finalized = 1; /* no wrapper will ever finalize it */
    return NULL;
  }
  return self;

fail_no_handle:
  if (duplicate) close(fd);
  free(w);
  return NULL;
}

static napi_value start(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int events, err;
  watcher_t* w = unwrap(env, info, argv, 1);
  if (w == NULL) return NULL;
  /* libuv asserts on unknown bits, so check here rather than abort the process. */
  if (!get_int(env, argv[0], 0, UV_READABLE | UV_WRITABLE, &events))
    return throw_arg(env, 1, "events must be a mask of UV_READABLE (1) and UV_WRITABLE (2)",
                     argv[0]);
  if ((err = uv_poll_start(&w->handle, events, on_poll)) != 0)
    return throw_uv(env, err, "uv_poll_start");
  if (!w->started && napi_reference_ref(env, w->on_event, NULL) == napi_ok) w->started = 1;
  return NULL;
}

/* A stopped watcher's callback is held only by its wrapper (see construct). */
static void weaken_callback(watcher_t* w) {
  if (w->started && w->on_event != NULL) napi_reference_unref(w->env, w->on_event, NULL);
  w->started = 0;
}

static napi_value stop(napi_env env, napi_callback_info info) {
  int err;
  watcher_t* w = unwrap(env, info, NULL, 1);
  if (w == NULL) return NULL;
  if ((err = uv_poll_stop(&w->handle)) != 0) return throw_uv(env, err, "uv_poll_stop");
  weaken_callback(w);
  return NULL;
}

static napi_value close_method(napi_env env, napi_callback_info info) {
  watcher_t* w = unwrap(env, info, NULL, 0);
  if (w != NULL) close_watcher(w); /* idempotent */
  return NULL;
}

static napi_value ref(napi_env env, napi_callback_info info) {
  watcher_t* w = unwrap(env, info, NULL, 1);
  if (w != NULL) uv_ref((uv_handle_t*)&w->handle);
  return NULL;
}

static napi_value unref(napi_env env, napi_callback_info info) {
  watcher_t* w = unwrap(env, info, NULL, 1);
  if (w != NULL) uv_unref((uv_handle_t*)&w->handle);
  return NULL;
}

static napi_value get_fd(napi_env env, napi_callback_info info) {
  napi_value result;
  watcher_t* w = unwrap(env, info, NULL, 1);
  if (w == NULL) return NULL;
  CHECK_NAPI(napi_create_int32(env, w->fd, &result));
  return result;
}

napi_value fd_watcher_init(napi_env env, napi_value exports) {
  napi_value cls;
  napi_property_descriptor props[] = {
      {"start", NULL, start, NULL, NULL, NULL, napi_default_method, NULL},
      {"stop", NULL, stop, NULL, NULL, NULL, napi_default_method, NULL},
      {"close", NULL, close_method, NULL, NULL, NULL, napi_default_method, NULL},
      {"ref", NULL, ref, NULL, NULL, NULL, napi_default_method, NULL},
      {"unref", NULL, unref, NULL, NULL, NULL, napi_default_method, NULL},
      {"fd", NULL, NULL, get_fd, NULL, NULL, napi_configurable, NULL},
  };
  CHECK_NAPI(napi_define_class(env, "FdWatcher", NAPI_AUTO_LENGTH, construct, NULL,
                               sizeof props / sizeof props[0], props, &cls));
  CHECK_NAPI(napi_set_named_property(env, exports, "FdWatcher", cls));
  return exports;
}
