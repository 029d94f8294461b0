/*
 * data_path.h: what the parts of the native data path share (data_path.c: init, errors, guards,
 * events; data_path_attach.c; data_path_receive.c; data_path_send.c). See data_path.c for how it
 * works and what protects it.
 */
#ifndef ZMQ_EVENTLOOP_DATA_PATH_H
#define ZMQ_EVENTLOOP_DATA_PATH_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* dladdr, strerrorname_np */
#endif
#include "addon.h"

#include <stdlib.h> /* defines __GLIBC__ where it applies */

/* The platforms where zeromq.js's prebuilt addon exports libzmq and the data path was tested (the
 * layout itself is learned at run time, see data_path_attach.c); elsewhere it exports nothing. */
#if defined(__linux__) && (defined(__x86_64__) || defined(__aarch64__)) && defined(__GLIBC__)
#define DATA_PATH_VERIFIED_PLATFORM 1

#include <stddef.h>
#include <stdint.h>

/* --- libzmq 4.3's ABI (zmq.h), declared here because we never link a libzmq ------------------ */

#define ZMQ_DONTWAIT 1
#define ZMQ_SNDMORE 2
#define ZMQ_FD 14
#define ZMQ_EVENTS 15
#define ZMQ_TYPE 16
#define ZMQ_HAUSNUMERO 156384712
#define ZMQ_EFSM (ZMQ_HAUSNUMERO + 51)
#define ZMQ_ENOCOMPATPROTO (ZMQ_HAUSNUMERO + 52)
#define ZMQ_ETERM (ZMQ_HAUSNUMERO + 53)
#define ZMQ_EMTHREAD (ZMQ_HAUSNUMERO + 54)

typedef struct {
  _Alignas(void*) unsigned char bytes[64];
} zmq_msg_t;

/* --- zeromq.js 6.x's zmq::Socket (src/socket.h) ----------------------------------------------- */

/* The dynamic symbol of zmq::Socket's vtable; an object's primary vtable pointer points two pointers
 * in (past offset-to-top and the typeinfo pointer), as Socket's constructor stores it. */
#define SOCKET_VTABLE_SYMBOL "_ZTVN3zmq6SocketE"
#define SOCKET_VTABLE_POINT (2 * sizeof(void*))
/* Bytes of libzmq's socket_base_t up to the end of its tag (at 1624 in 4.3.5), which zmq_getsockopt
 * reads before anything else: proven mapped before a candidate pointer is handed to libzmq. */
#define SOCKET_TAG_END 1628
/* The tag's value while a libzmq socket lives (socket_base_t's _tag). */
#define SOCKET_TAG_ALIVE 0xbaddecafu
/* Where learn_layout() looks for the fields: zmq::Socket is 304 bytes in 6.5-6.8 on x64. */
#define SOCKET_SEARCH_BYTES 512
/* `State state` (uint8_t): Open, Closed, Blocked (Bind, Unbind, BindSync, Proxy::Run). Open and
 * Closed are learned by watching close(); Blocked is zeromq.js's enum, and any state but Open is
 * refused anyway. */
#define SOCKET_STATE_OPEN 0
#define SOCKET_STATE_CLOSED 1
#define SOCKET_STATE_BLOCKED 2
/* What attach() returns for a socket zeromq.js is binding or unbinding on a worker thread: the one
 * refusal that passes once the operation settles (src/native/addon.ts compares with it). */
#define REFUSAL_BLOCKED "the socket is blocked by a bind or unbind operation"

/* --- per-env state -------------------------------------------------------------------------- */

/* One zeromq.js image (its addon.node) and the libzmq functions it exports. */
typedef struct {
  void* base; /* dli_fbase: which image */
  void* dl;   /* our dlopen(RTLD_NOLOAD) reference: keeps the image mapped while handles exist */
  const void* socket_vptr;
  /* zmq::Socket's layout in this image, learned by learn_layout() on a probe socket; attach()
   * refuses every socket of the image until then. */
  int layout_learned;
  size_t pointer_offset; /* `void* socket`, NULL once closed */
  size_t state_offset;   /* `State state` */
  /* Per byte of the search window: whether it went Open -> Closed in every probe so far (the window
   * reaches past the object, where a neighbour may change too; each probe has other neighbours). */
  int probes;
  uint8_t state_candidates[SOCKET_SEARCH_BYTES];
  int (*msg_init)(zmq_msg_t*);
  int (*msg_recv)(zmq_msg_t*, void*, int);
  int (*msg_close)(zmq_msg_t*);
  int (*msg_move)(zmq_msg_t*, zmq_msg_t*);
  int (*msg_init_data)(zmq_msg_t*, void*, size_t, void (*)(void*, void*), void*);
  int (*msg_send)(zmq_msg_t*, void*, int);
  void* (*msg_data)(zmq_msg_t*);
  size_t (*msg_size)(const zmq_msg_t*);
  int (*msg_more)(const zmq_msg_t*);
  int (*send)(void*, const void*, size_t, int);
  int (*getsockopt)(void*, int, void*, size_t*);
  int (*errno_)(void);
  const char* (*strerror)(int);
} image_t;

/* Several copies of zeromq.js in one process are possible (each package manager layout); more than
 * this many is not worth a growable list. */
#define MAX_IMAGES 4

typedef struct {
  image_t images[MAX_IMAGES];
  int image_count;
  napi_ref slab; /* strong: the ArrayBuffer that received frames are copied into, NULL at first */
  size_t slab_used;
  char* scratch; /* the UTF-8 of the string parts of the message being sent */
  size_t scratch_size;
  struct release_queue* releases; /* data_path_send.c's zero-copy sends, NULL until the first */
  int zero_copy_sends; /* whether this env's JS memory outlives libzmq's hold on it (data_path_send.c) */
} env_data_t;

/* What attach() returns (in an External): one zeromq.js socket. */
#define HANDLE_MAGIC 0x7a6d7164u
#define INITIAL_PARTS 4
typedef struct {
  uint32_t magic;
  const image_t* zmq;
  const uint8_t* object; /* zeromq.js's zmq::Socket */
  napi_ref socket;       /* weak: empty once the JS socket (and so the object) is collected */
  /* A received message not yet handed out (it did not fit the batch): parts[0 .. pending). */
  zmq_msg_t* parts;
  int capacity;
  int pending;
  size_t pending_bytes;
} handle_t;

/* receiveBatch's meta array: a header, then per message its part count and each part's length
 * (META_OWN_FRAME for a frame handed out in a Buffer of its own, in the frames array). */
enum { META_STATUS, META_MESSAGES, META_OFFSET, META_HEADER };
/* META_STATUS values. DRAINED: libzmq had nothing more (EAGAIN). MORE: a bound stopped the batch,
 * call again. META_FULL: the next message has more parts than meta holds; META_MESSAGES then holds
 * the length meta needs. */
enum { STATUS_DRAINED, STATUS_MORE, STATUS_META_FULL };
#define META_OWN_FRAME (-1)

/* --- shared functions ------------------------------------------------------------------------ */

env_data_t* env_data(napi_env env);
/* Throw an Error shaped like zeromq.js's ErrnoException: message, `errno` and `code`. `zmq` may be
 * NULL when `message` is given. Returns NULL. */
napi_value throw_errno(napi_env env, const image_t* zmq, int err, const char* message);
/* The handle in `value`, or NULL with a TypeError thrown. */
handle_t* get_handle(napi_env env, napi_value value);
/* The handle's libzmq socket, or NULL with zeromq.js's own error thrown when it cannot be used
 * now. */
void* open_socket(napi_env env, const handle_t* h);
/* Release the handle's pending message. */
void close_parts(handle_t* h);
/* Keep this addon mapped for good (1), or fail (0): libzmq may call a zero-copy send's free function
 * after the last env that loaded the addon is gone, and the proven layouts must outlive every env. */
int pin_this_addon(void);

napi_value js_learn_layout(napi_env env, napi_callback_info info);
napi_value js_attach(napi_env env, napi_callback_info info);
napi_value js_share_layout(napi_env env, napi_callback_info info);
napi_value js_adopt_layout(napi_env env, napi_callback_info info);
napi_value js_receive_batch(napi_env env, napi_callback_info info);
napi_value js_send(napi_env env, napi_callback_info info);
napi_value js_events(napi_env env, napi_callback_info info);
napi_value js_closed(napi_env env, napi_callback_info info);

#endif
#endif
