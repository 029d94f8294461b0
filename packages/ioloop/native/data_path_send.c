/*
 * data_path_send.c: send(), one whole message of Buffer, typed array, ArrayBuffer or string parts.
 * (A sendBatch() over several messages measured no faster: a native call costs little beside
 * zmq_send.)
 *
 * Small parts are copied by zmq_send. A part of ZERO_COPY_BYTES or more goes without a copy, as
 * zeromq.js does it: zmq_msg_init_data over the JS memory, a napi_ref keeping the JS object alive
 * until libzmq calls free_sent_part, which may happen on one of libzmq's I/O threads. V8 objects
 * can only be released on the JS thread, so free_sent_part queues the reference and wakes the
 * env's loop (uv_async), whose callback deletes what was queued.
 *
 * Only on the main thread. A worker thread's JS memory is freed with its isolate when the worker
 * ends, while libzmq may still hold the message: in a pipe to a socket of another thread (inproc),
 * in a peer's received frame, or being written by an I/O thread during a linger. Reading it then
 * is a SIGSEGV or garbage on the wire (zeromq.js, which sends zero-copy from 129 bytes on any
 * thread, has exactly that fault), and no napi_ref can keep the memory past the isolate. So a
 * worker's parts are copied by zmq_send, whatever their size.
 *
 * Lifetime of that queue. libzmq may free a message after the env is gone (a linger at exit): the
 * queue is counted (the env, plus one per message libzmq holds) and freed
 * by whoever drops the last count. The env's async cleanup hook closes the uv_async and makes
 * later frees plain frees. And because free_sent_part is code of this addon, which Node unloads
 * with the last env that loaded it, the addon pins itself (RTLD_NODELETE) before its first
 * zero-copy send.
 */
#include "data_path.h"

#ifdef DATA_PATH_VERIFIED_PLATFORM

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <uv.h>

/* Parts from this size up are sent without a copy. Below it, zmq_send's copy costs less than the
 * reference, libzmq's content block and the release on the JS thread (measured with this constant
 * changed and rebuilt; the figures are in bench/README.md, "Zero-copy thresholds"). */
#define ZERO_COPY_BYTES (32 * 1024)

/* One part to send: its bytes, or (for a string) where its UTF-8 sits in the scratch space, which
 * may move while later parts are converted. `value` is the JS object holding the bytes. */
typedef struct {
  const void* data;
  size_t size;
  size_t scratch_offset;
  int in_scratch;
  napi_value value;
} part_t;

/* --- zero-copy sends: releasing the JS memory once libzmq is done with it ------------------- */

typedef struct sent_part sent_part_t;

typedef struct release_queue {
  pthread_mutex_t lock;
  napi_env env;
  uv_async_t* wake; /* NULL once the env is being torn down */
  sent_part_t* released;
  size_t counts; /* 1 for the env until its teardown finishes, 1 per part libzmq holds */
  napi_async_cleanup_hook_handle teardown_hook;
} release_queue_t;

/* The hint of one zero-copy part: what keeps its JS memory alive. */
struct sent_part {
  sent_part_t* next;
  release_queue_t* queue;
  napi_ref value;
};

/* Drop one count (the lock must not be held); the last one frees the queue. */
static void release_count(release_queue_t* q) {
  size_t left;
  pthread_mutex_lock(&q->lock);
  left = --q->counts;
  pthread_mutex_unlock(&q->lock);
  if (left == 0) {
    pthread_mutex_destroy(&q->lock);
    free(q);
  }
}

/* Delete the references in a list taken from q->released (JS thread). */
static void delete_released(napi_env env, sent_part_t* part) {
  while (part != NULL) {
    sent_part_t* next = part->next;
    napi_delete_reference(env, part->value);
    free(part);
    part = next;
  }
}

static sent_part_t* take_released(release_queue_t* q) {
  sent_part_t* list;
  pthread_mutex_lock(&q->lock);
  list = q->released;
  q->released = NULL;
  pthread_mutex_unlock(&q->lock);
  return list;
}

static void on_wake(uv_async_t* wake) {
  release_queue_t* q = wake->data;
  delete_released(q->env, take_released(q));
}

/* libzmq's free callback: any thread, any time, even after the env is gone. */
static void free_sent_part(void* data, void* hint) {
  sent_part_t* part = hint;
  release_queue_t* q = part->queue;
  int queued = 0;
  (void)data;
  pthread_mutex_lock(&q->lock);
  if (q->wake != NULL) {
    part->next = q->released;
    q->released = part;
    uv_async_send(q->wake);
    queued = 1;
  }
  pthread_mutex_unlock(&q->lock);
  if (!queued) free(part); /* the env is gone, and with it every reference */
  release_count(q);
}

static void on_wake_closed(uv_handle_t* handle) {
  release_queue_t* q = handle->data;
  napi_remove_async_cleanup_hook(q->teardown_hook);
  free(handle);
  release_count(q);
}

static void on_env_teardown(napi_async_cleanup_hook_handle hook, void* data) {
  release_queue_t* q = data;
  uv_async_t* wake;
  (void)hook;
  pthread_mutex_lock(&q->lock);
  wake = q->wake;
  q->wake = NULL;
  pthread_mutex_unlock(&q->lock);
  delete_released(q->env, take_released(q));
  uv_close((uv_handle_t*)wake, on_wake_closed);
}

/* The env's release queue, made at the first zero-copy send; NULL when it cannot be (then parts
 * are copied). */
static release_queue_t* release_queue(napi_env env, env_data_t* d) {
  release_queue_t* q;
  uv_loop_t* loop;
  if (d->releases != NULL) return d->releases;
  if (!pin_this_addon() || napi_get_uv_event_loop(env, &loop) != napi_ok) return NULL;
  q = calloc(1, sizeof *q);
  if (q == NULL || (q->wake = malloc(sizeof *q->wake)) == NULL) {
    free(q);
    return NULL;
  }
  if (uv_async_init(loop, q->wake, on_wake) != 0) {
    free(q->wake);
    free(q);
    return NULL;
  }
  /* From here on the handle is in the loop and must be released through uv_close. */
  q->wake->data = q;
  uv_unref((uv_handle_t*)q->wake);
  q->env = env;
  q->counts = 1;
  pthread_mutex_init(&q->lock, NULL);
  if (napi_add_async_cleanup_hook(env, on_env_teardown, q, &q->teardown_hook) != napi_ok) {
    q->teardown_hook = NULL;
    on_env_teardown(NULL, q);
    return NULL;
  }
  d->releases = q;
  return q;
}

/* Send `part` without copying it: 0 sent, else the errno (-1: it could not be made, copy it). */
static int send_zero_copy(napi_env env, const handle_t* h, release_queue_t* q, void* socket,
                          const part_t* part, int flags) {
  const image_t* zmq = h->zmq;
  zmq_msg_t msg;
  sent_part_t* hint = malloc(sizeof *hint);
  if (hint == NULL) return -1;
  hint->queue = q;
  if (napi_create_reference(env, part->value, 1, &hint->value) != napi_ok) {
    free(hint);
    return -1;
  }
  if (zmq->msg_init_data(&msg, (void*)part->data, part->size, free_sent_part, hint) != 0) {
    napi_delete_reference(env, hint->value);
    free(hint);
    return -1;
  }
  pthread_mutex_lock(&q->lock);
  q->counts++;
  pthread_mutex_unlock(&q->lock);
  while (zmq->msg_send(&msg, socket, flags) < 0) {
    int err = zmq->errno_();
    if (err == EINTR) continue;
    zmq->msg_close(&msg); /* calls free_sent_part */
    return err;
  }
  return 0;
}

static size_t element_size(napi_typedarray_type type) {
  switch (type) {
    case napi_int16_array:
    case napi_uint16_array: return 2;
    case napi_int32_array:
    case napi_uint32_array:
    case napi_float32_array: return 4;
    case napi_float64_array:
    case napi_bigint64_array:
    case napi_biguint64_array: return 8;
    default: return 1;
  }
}

/* Append the UTF-8 of `value` (a string) to the scratch space. 0 on failure (exception pending). */
static int scratch_string(napi_env env, env_data_t* d, size_t* used, napi_value value,
                          part_t* part) {
  size_t length;
  if (napi_get_value_string_utf8(env, value, NULL, 0, &length) != napi_ok) return 0;
  if (*used + length + 1 > d->scratch_size) {
    size_t size = (*used + length + 1) * 2;
    char* scratch = realloc(d->scratch, size);
    if (scratch == NULL) {
      throw_errno(env, NULL, ENOMEM, "Out of memory converting a string part");
      return 0;
    }
    d->scratch = scratch;
    d->scratch_size = size;
  }
  /* napi writes a terminating NUL, hence the + 1 of room. */
  if (napi_get_value_string_utf8(env, value, d->scratch + *used, length + 1, &length) != napi_ok)
    return 0;
  part->scratch_offset = *used;
  part->size = length;
  part->in_scratch = 1;
  *used += length;
  return 1;
}

/* `value` as a part if it is a typed array (a Buffer is one): the common case, in one N-API call. */
static int typed_array_part(napi_env env, napi_value value, part_t* part) {
  napi_typedarray_type array_type;
  size_t length;
  void* data;
  /* Not a typed array: napi_invalid_arg, and no exception. */
  if (napi_get_typedarray_info(env, value, &array_type, &length, &data, NULL, NULL) != napi_ok)
    return 0;
  part->data = data;
  part->size = length * element_size(array_type);
  part->in_scratch = 0;
  part->value = value;
  return 1;
}

/* Resolve `value` into `part`: 1, or 0 with a TypeError (or another exception) pending. */
static int resolve_part(napi_env env, env_data_t* d, size_t* used, napi_value value, part_t* part,
                        uint32_t index) {
  napi_valuetype type;
  bool is;
  if (typed_array_part(env, value, part)) return 1;
  part->in_scratch = 0;
  part->value = value;
  if (napi_typeof(env, value, &type) != napi_ok) return 0;
  if (type == napi_string) return scratch_string(env, d, used, value, part);
  if (type == napi_object && napi_is_arraybuffer(env, value, &is) == napi_ok && is) {
    void* data;
    if (napi_get_arraybuffer_info(env, value, &data, &part->size) != napi_ok) return 0;
    part->data = data;
    return 1;
  }
  {
    char what[96];
    snprintf(what, sizeof what, "parts[%u] must be a Buffer, TypedArray, ArrayBuffer or string",
             index);
    throw_arg(env, 0, what, value);
  }
  return 0;
}

/* Send one part: 0, or the errno. */
static int send_part(napi_env env, env_data_t* d, const handle_t* h, void* socket,
                     const part_t* part, int flags) {
  const void* data;
  if (!part->in_scratch && part->size >= ZERO_COPY_BYTES && d->zero_copy_sends) {
    release_queue_t* q = release_queue(env, d);
    int err = q == NULL ? -1 : send_zero_copy(env, h, q, socket, part, flags);
    if (err >= 0) return err;
  }
  data = part->in_scratch ? d->scratch + part->scratch_offset : part->data;
  while (h->zmq->send(socket, data, part->size, flags) < 0) {
    int err = h->zmq->errno_();
    if (err != EINTR) return err;
  }
  return 0;
}

/* Send one message (`message`: an array of parts, or one part): 1 sent, 0 would block (EAGAIN, or
 * EFSM: a REQ/REP socket whose turn is to receive), -1 with an exception pending. Every part is
 * resolved before the first goes out, so a bad part never leaves half a message in libzmq. */
#define STACK_PARTS 16
static int send_message(napi_env env, env_data_t* d, const handle_t* h, void* socket,
                        napi_value message) {
  part_t stack_parts[STACK_PARTS];
  part_t* parts = stack_parts;
  uint32_t count = 1, i;
  size_t used = 0;
  bool is_array = false;
  int result = -1;
  /* A single Buffer, as NativeDataPath.send passes a one-part message: no array to walk. */
  if (!typed_array_part(env, message, &parts[0])) {
    if (napi_is_array(env, message, &is_array) != napi_ok) return -1;
    if (is_array && napi_get_array_length(env, message, &count) != napi_ok) return -1;
    if (count == 0) {
      throw_arg(env, 0, "parts must not be empty", message);
      return -1;
    }
    if (count > STACK_PARTS && (parts = malloc(count * sizeof *parts)) == NULL) {
      throw_errno(env, h->zmq, ENOMEM, "Out of memory sending a message");
      return -1;
    }
    for (i = 0; i < count; i++) {
      napi_value value = message;
      if (is_array && napi_get_element(env, message, i, &value) != napi_ok) goto done;
      if (!resolve_part(env, d, &used, value, &parts[i], i)) goto done;
    }
  }
  for (i = 0; i < count; i++) {
    int flags = ZMQ_DONTWAIT | (i + 1 < count ? ZMQ_SNDMORE : 0);
    int err = send_part(env, d, h, socket, &parts[i], flags);
    if (err == 0) continue;
    /* libzmq takes the later parts of a message whose first part it took (ZMQ_SNDMORE): only the
     * first can find no room. */
    if (i == 0 && (err == EAGAIN || err == ZMQ_EFSM)) {
      result = 0;
      goto done;
    }
    throw_errno(env, h->zmq, err, NULL);
    goto done;
  }
  result = 1;
done:
  if (parts != stack_parts) free(parts);
  return result;
}

napi_value js_send(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], result;
  handle_t* h;
  void* socket;
  int sent;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok ||
      (h = get_handle(env, argv[0])) == NULL || (socket = open_socket(env, h)) == NULL ||
      (sent = send_message(env, env_data(env), h, socket, argv[1])) < 0)
    return NULL;
  return napi_get_boolean(env, sent, &result) == napi_ok ? result : NULL;
}

#endif
