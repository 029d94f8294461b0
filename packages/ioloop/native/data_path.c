/*
 * data_path.c: the native data path, which moves messages between libzmq and JavaScript on the
 * user's own zeromq.js sockets without zeromq.js's per-frame Buffer and promise. This file holds
 * its init, errors, per-call guards and ZMQ_EVENTS read; data_path_attach.c, data_path_receive.c
 * and data_path_send.c the rest. src/native/addon.ts declares the shape; every decision (batch
 * bounds, slab size, fallbacks) is the TypeScript side's:
 *
 *   learnLayout(probe, fd, type)   -> null, or a string saying why the layout was not found
 *   attach(socket, fd, type)       -> handle, or a string saying why not
 *   receiveBatch(handle, meta, maxMessages, maxBytes, slabBytes) -> ArrayBuffer | undefined
 *   send(handle, parts)            -> true, or false when libzmq would block (EAGAIN, EFSM)
 *   events(handle)                 -> ZMQ_EVENTS
 *   closed(handle)                 -> whether the socket is closed (zeromq.js's socket.closed)
 *
 * How it reaches libzmq. zeromq.js's Socket is a Napi::ObjectWrap, so napi_unwrap on the JS socket
 * returns zeromq.js's C++ zmq::Socket (napi_wrap's data is visible to every addon of the env). Where
 * its fields are is learned at run time on a probe socket (learnLayout, data_path_attach.c), never
 * assumed from a version; the package README, "How it works: the native data path", says how. libzmq's functions are
 * taken from the very image that created the socket (dladdr on the object's vtable pointer,
 * dlopen(RTLD_NOLOAD), dlsym), never from a libzmq of our own: two copies of libzmq in one process
 * share no context or inproc.
 *
 * Guards. attach() reads the object only through safe_read() until the vtable pointer proves it is
 * that image's zmq::Socket, and checks the socket pointer with libzmq itself (ZMQ_FD and ZMQ_TYPE
 * must equal what zeromq.js reported). Every later call checks that the JS socket is still alive
 * (weak reference), that the socket pointer is not NULL (zeromq.js NULLs it on close) and that the
 * state byte says open (bind/unbind make it "blocked" while a worker thread uses the socket).
 *
 * Threads. Everything runs on the JS thread of one env. Per-env state (the images found, the slab
 * being filled, scratch space) is the env's instance data, so worker threads each have their own.
 *
 * Only Linux x64 and arm64 with glibc are verified; elsewhere this part exports nothing and the
 * TypeScript side reports the platform as the reason.
 */
#include "data_path.h"

#ifdef DATA_PATH_VERIFIED_PLATFORM

#include <dlfcn.h>
#include <errno.h>
#include <string.h>
#include <uv.h>

/* --- errors ----------------------------------------------------------------------------------- */

/* zeromq.js's ErrnoCode: errno's name (libzmq's own for its codes), ENOTSUP for EOPNOTSUPP. */
static const char* errno_code(int err) {
  switch (err) {
    case ENOTSUP: return "ENOTSUP"; /* the same number as EOPNOTSUPP on Linux */
    case ZMQ_EFSM: return "EFSM";
    case ZMQ_ENOCOMPATPROTO: return "ENOCOMPATPROTO";
    case ZMQ_ETERM: return "ETERM";
    case ZMQ_EMTHREAD: return "EMTHREAD";
  }
#if __GLIBC_PREREQ(2, 32)
  {
    const char* name = strerrorname_np(err);
    if (name != NULL) return name;
  }
#endif
  return "UNKNOWN";
}

/* zeromq.js's ErrnoMessage (src/util/error.h): a few clearer sentences, else zmq_strerror. */
static const char* errno_message(const image_t* zmq, int err) {
  switch (err) {
    case EFAULT: return "Context is closed";
    case EAGAIN: return "Operation was not possible or timed out";
    case EMFILE: return "Too many open file descriptors";
    case ENOENT: return "No such endpoint";
    case EBUSY: return "Socket is busy";
    case EBADF: return "Socket is closed";
    case EADDRINUSE: return "Address already in use";
  }
  return zmq->strerror(err);
}

napi_value throw_errno(napi_env env, const image_t* zmq, int err, const char* message) {
  napi_value text, error, value;
  if (napi_create_string_utf8(env, message != NULL ? message : errno_message(zmq, err),
                              NAPI_AUTO_LENGTH, &text) != napi_ok ||
      napi_create_error(env, NULL, text, &error) != napi_ok)
    return NULL;
  napi_create_int32(env, err, &value);
  napi_set_named_property(env, error, "errno", value);
  napi_create_string_utf8(env, errno_code(err), NAPI_AUTO_LENGTH, &value);
  napi_set_named_property(env, error, "code", value);
  napi_throw(env, error);
  return NULL;
}

env_data_t* env_data(napi_env env) {
  void* data = NULL;
  napi_get_instance_data(env, &data);
  return data;
}

/* --- per-call guards -------------------------------------------------------------------------- */

handle_t* get_handle(napi_env env, napi_value value) {
  handle_t* h = NULL;
  if (napi_get_value_external(env, value, (void**)&h) != napi_ok || h == NULL ||
      h->magic != HANDLE_MAGIC) {
    throw_arg(env, 0, "handle must be a handle from attach()", value);
    return NULL;
  }
  return h;
}

void* open_socket(napi_env env, const handle_t* h) {
  napi_value alive = NULL;
  void* socket;
  /* The JS socket owns the C++ object: once it is collected, the object is (or will be) freed. */
  if (napi_get_reference_value(env, h->socket, &alive) != napi_ok || alive == NULL) {
    throw_errno(env, h->zmq, EBADF, NULL);
    return NULL;
  }
  uint8_t state = h->object[h->zmq->state_offset];
  memcpy(&socket, h->object + h->zmq->pointer_offset, sizeof socket);
  if (state == SOCKET_STATE_BLOCKED) {
    throw_errno(env, h->zmq, EBUSY, "Socket is blocked by a bind or unbind operation");
    return NULL;
  }
  if (state != SOCKET_STATE_OPEN || socket == NULL) {
    throw_errno(env, h->zmq, EBADF, NULL);
    return NULL;
  }
  return socket;
}

/* --- events ----------------------------------------------------------------------------------- */

napi_value js_events(napi_env env, napi_callback_info info) {
  size_t argc = 1, size = sizeof(int);
  napi_value argv[1], result;
  handle_t* h;
  void* socket;
  int value = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok ||
      (h = get_handle(env, argv[0])) == NULL || (socket = open_socket(env, h)) == NULL)
    return NULL;
  while (h->zmq->getsockopt(socket, ZMQ_EVENTS, &value, &size) != 0) {
    int err = h->zmq->errno_();
    if (err != EINTR) return throw_errno(env, h->zmq, err, NULL);
  }
  return napi_create_int32(env, value, &result) == napi_ok ? result : NULL;
}

/* zeromq.js's `socket.closed` (its state is Closed), read from the state byte: the loop asks it of a native
 * stream's socket at every dispatch, and a read here calls no zeromq.js code (whose getters abort the
 * process while Node terminates a worker thread). A socket whose JS object is gone is closed too. */
napi_value js_closed(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], alive = NULL, result;
  handle_t* h;
  bool closed;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok ||
      (h = get_handle(env, argv[0])) == NULL)
    return NULL;
  closed = napi_get_reference_value(env, h->socket, &alive) != napi_ok || alive == NULL ||
           h->object[h->zmq->state_offset] == SOCKET_STATE_CLOSED;
  return napi_get_boolean(env, closed, &result) == napi_ok ? result : NULL;
}

/* --- init ------------------------------------------------------------------------------------- */

/* Env teardown, after every handle's finalizer: release the slab and our image references. */
static void finalize_env_data(napi_env env, void* data, void* hint) {
  env_data_t* d = data;
  int i;
  (void)hint;
  if (d->slab != NULL) napi_delete_reference(env, d->slab);
  for (i = 0; i < d->image_count; i++) dlclose(d->images[i].dl);
  free(d->scratch);
  free(d);
}

int pin_this_addon(void) {
  static int pinned;
  Dl_info info;
  if (pinned) return 1;
  if (!dladdr((void*)pin_this_addon, &info) || info.dli_fname == NULL ||
      dlopen(info.dli_fname, RTLD_LAZY | RTLD_NOLOAD | RTLD_NODELETE) == NULL)
    return 0;
  pinned = 1;
  return 1;
}

napi_value data_path_init(napi_env env, napi_value exports) {
  napi_value functions;
  uv_loop_t* loop;
  env_data_t* d = calloc(1, sizeof *d);
  napi_property_descriptor props[] = {
      {"learnLayout", NULL, js_learn_layout, NULL, NULL, NULL, napi_enumerable, NULL},
      {"attach", NULL, js_attach, NULL, NULL, NULL, napi_enumerable, NULL},
      {"shareLayout", NULL, js_share_layout, NULL, NULL, NULL, napi_enumerable, NULL},
      {"adoptLayout", NULL, js_adopt_layout, NULL, NULL, NULL, napi_enumerable, NULL},
      {"receiveBatch", NULL, js_receive_batch, NULL, NULL, NULL, napi_enumerable, NULL},
      {"send", NULL, js_send, NULL, NULL, NULL, napi_enumerable, NULL},
      {"events", NULL, js_events, NULL, NULL, NULL, napi_enumerable, NULL},
      {"closed", NULL, js_closed, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (d == NULL) {
    throw_errno(env, NULL, ENOMEM, "Out of memory loading the native data path");
    return NULL;
  }
  d->zero_copy_sends = napi_get_uv_event_loop(env, &loop) == napi_ok && loop == uv_default_loop();
  if (napi_set_instance_data(env, d, finalize_env_data, NULL) != napi_ok) {
    free(d);
    return NULL;
  }
  if (napi_create_object(env, &functions) != napi_ok ||
      napi_define_properties(env, functions, sizeof props / sizeof props[0], props) != napi_ok ||
      napi_set_named_property(env, exports, "dataPath", functions) != napi_ok)
    return NULL;
  return exports;
}

#else /* not Linux x64/arm64 glibc: nothing verified, nothing exported */

napi_value data_path_init(napi_env env, napi_value exports) {
  (void)env;
  return exports;
}

#endif
