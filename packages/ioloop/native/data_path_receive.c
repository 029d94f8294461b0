/*
 * data_path_receive.c: receiveBatch(), whole messages from libzmq: their small frames copied into
 * one shared slab, each larger frame handed out in a Buffer of its own over the zmq_msg's own memory
 * (whose finalizer closes the message), their shape written into meta.
 */
#include "data_path.h"

#ifdef DATA_PATH_VERIFIED_PLATFORM

#include <errno.h>
#include <string.h>

void close_parts(handle_t* h) {
  int i;
  for (i = 0; i < h->pending; i++) h->zmq->msg_close(&h->parts[i]);
  h->pending = 0;
  h->pending_bytes = 0;
}

/* Room for one more part in h->parts (zmq_msg_move: a zmq_msg_t must not be copied bytewise). */
static int grow_parts(handle_t* h) {
  int i, capacity = h->capacity * 2;
  zmq_msg_t* parts = malloc(capacity * sizeof *parts);
  if (parts == NULL) return 0;
  for (i = 0; i < h->pending; i++) {
    h->zmq->msg_init(&parts[i]);
    h->zmq->msg_move(&parts[i], &h->parts[i]);
    h->zmq->msg_close(&h->parts[i]);
  }
  free(h->parts);
  h->parts = parts;
  h->capacity = capacity;
  return 1;
}

/* Receive one whole message into h->parts: 0, or the errno (EAGAIN when there is none). Once the
 * first part is in, libzmq has the whole message, so the later parts never give EAGAIN. */
static int receive_message(handle_t* h, void* socket) {
  const image_t* zmq = h->zmq;
  zmq_msg_t* part;
  do {
    if (h->pending == h->capacity && !grow_parts(h)) {
      /* Drop the rest of the message, so the next one does not start in its middle. */
      zmq_msg_t rest;
      zmq->msg_init(&rest);
      while (zmq->msg_recv(&rest, socket, ZMQ_DONTWAIT) >= 0 && zmq->msg_more(&rest)) continue;
      zmq->msg_close(&rest);
      close_parts(h);
      return ENOMEM;
    }
    part = &h->parts[h->pending];
    zmq->msg_init(part);
    while (zmq->msg_recv(part, socket, ZMQ_DONTWAIT) < 0) {
      int err = zmq->errno_();
      if (err == EINTR) continue;
      zmq->msg_close(part);
      close_parts(h);
      return err;
    }
    h->pending++;
    h->pending_bytes += zmq->msg_size(part);
  } while (zmq->msg_more(part));
  return 0;
}

/* The slab with `need` bytes free at slab_used, a new one of `slab_bytes` if the current one is
 * full, of another size (made for another caller's slabBytes) or was detached (transferred to
 * another thread); NULL with an exception pending. */
static uint8_t* slab_with_room(napi_env env, env_data_t* d, size_t need, size_t slab_bytes,
                               napi_value* buffer, size_t* length) {
  void* data = NULL;
  if (d->slab != NULL && napi_get_reference_value(env, d->slab, buffer) == napi_ok &&
      napi_get_arraybuffer_info(env, *buffer, &data, length) == napi_ok && data != NULL &&
      *length == slab_bytes && *length >= d->slab_used && *length - d->slab_used >= need)
    return data;
  *length = slab_bytes;
  if (napi_create_arraybuffer(env, slab_bytes, &data, buffer) != napi_ok) return NULL;
  if (d->slab != NULL) napi_delete_reference(env, d->slab);
  d->slab = NULL;
  if (napi_create_reference(env, *buffer, 1, &d->slab) != napi_ok) return NULL;
  d->slab_used = 0;
  return data;
}

/* A received frame handed to JS over the zmq_msg's own memory: the zmq_msg, closed by the Buffer's
 * finalizer. */
typedef struct {
  zmq_msg_t msg;
  const image_t* zmq;
} own_frame_t;

static void finalize_own_frame(napi_env env, void* data, void* hint) {
  own_frame_t* frame = hint;
  (void)env;
  (void)data;
  frame->zmq->msg_close(&frame->msg);
  free(frame);
}

/* A Buffer of its own for `part`: the zmq_msg's own memory (no copy; the part is moved out of the
 * handle), as zeromq.js hands out its frames; where external buffers are not allowed, a copy in
 * memory V8 allocates (not zero-filled). V8 counts an external Buffer's bytes as external memory
 * itself: this does not also report them with napi_adjust_external_memory, as zeromq.js does, which
 * counts them twice and so starts a full collection for every 32 MB of frames instead of 64
 * (src/young-ballast.ts brings such frames to minor collections). NULL with an exception pending. */
static napi_value own_frame_buffer(napi_env env, const image_t* zmq, zmq_msg_t* part) {
  napi_value buffer;
  void* copy;
  size_t size = zmq->msg_size(part);
  own_frame_t* frame = malloc(sizeof *frame);
  if (frame == NULL) return throw_errno(env, zmq, ENOMEM, "Out of memory receiving a frame");
  frame->zmq = zmq;
  zmq->msg_init(&frame->msg);
  zmq->msg_move(&frame->msg, part);
  if (napi_create_external_buffer(env, size, zmq->msg_data(&frame->msg), finalize_own_frame, frame,
                                  &buffer) == napi_ok)
    return buffer;
  if (napi_create_buffer(env, size, &copy, &buffer) == napi_ok)
    memcpy(copy, zmq->msg_data(&frame->msg), size);
  else
    buffer = NULL;
  finalize_own_frame(env, NULL, frame);
  return buffer;
}

/* Each copied frame starts at a multiple of this in its slab, as Node aligns its own pooled Buffers:
 * a typed array of 8-byte elements can view any frame (`new Float64Array(f.buffer, f.byteOffset)`),
 * as it can a zeromq.js frame, alone in its ArrayBuffer. JavaScript steps the same way: addon.ts's
 * nextFrameOffset(). */
#define FRAME_ALIGN 8
#define ALIGNED(size) (((size) + FRAME_ALIGN - 1) & ~(size_t)(FRAME_ALIGN - 1))

/* Where one batch's frames go: the small ones one after another into `dest`, each at an aligned
 * offset, the larger ones each in a Buffer of its own, appended to the JS array `own_frames`. */
typedef struct {
  napi_value own_frames;
  uint32_t own_count;
  size_t own_bytes; /* a frame larger than this gets its own Buffer */
} batch_t;

/* The slab bytes the pending message's copied frames take (those not larger than own_bytes), each
 * rounded up to FRAME_ALIGN. */
static size_t copied_bytes(const handle_t* h, size_t own_bytes) {
  size_t bytes = 0;
  int i;
  for (i = 0; i < h->pending; i++) {
    size_t size = h->zmq->msg_size(&h->parts[i]);
    if (size <= own_bytes) bytes += ALIGNED(size);
  }
  return bytes;
}

/* Hand out the pending message: copy its small frames to dest while they fit in its `room` bytes,
 * give each other one a Buffer of its own, write its part count and lengths to out, release it.
 * 0 with an exception pending. */
static int take_pending(napi_env env, handle_t* h, batch_t* batch, uint8_t* dest, size_t room,
                        int32_t* out) {
  int i;
  *out++ = h->pending;
  for (i = 0; i < h->pending; i++) {
    size_t size = h->zmq->msg_size(&h->parts[i]);
    if (size > batch->own_bytes || ALIGNED(size) > room) {
      napi_value buffer = own_frame_buffer(env, h->zmq, &h->parts[i]);
      if (buffer == NULL ||
          napi_set_element(env, batch->own_frames, batch->own_count++, buffer) != napi_ok) {
        close_parts(h);
        return 0;
      }
      *out++ = META_OWN_FRAME;
      continue;
    }
    memcpy(dest, h->zmq->msg_data(&h->parts[i]), size);
    dest += ALIGNED(size);
    room -= ALIGNED(size);
    *out++ = (int32_t)size;
  }
  close_parts(h);
  return 1;
}

napi_value js_receive_batch(napi_env env, napi_callback_info info) {
  size_t argc = 7, meta_length;
  napi_value argv[7], buffer, undefined;
  napi_typedarray_type meta_type;
  int32_t* meta;
  int max_messages, max_bytes, slab_bytes, own_bytes;
  int messages = 0, status = STATUS_MORE;
  size_t bytes = 0, used_meta = META_HEADER, offset = 0, slab_length = 0;
  uint8_t* slab = NULL;
  bool is_array;
  batch_t batch;
  void* socket;
  handle_t* h;
  env_data_t* d = env_data(env);
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok ||
      napi_get_undefined(env, &undefined) != napi_ok || (h = get_handle(env, argv[0])) == NULL)
    return NULL;
  buffer = undefined;
  if (napi_get_typedarray_info(env, argv[1], &meta_type, &meta_length, (void**)&meta, NULL, NULL) !=
          napi_ok ||
      meta_type != napi_int32_array || meta_length < META_HEADER + 2)
    return throw_arg(env, 0, "meta must be an Int32Array of at least 5 elements", argv[1]);
  if (napi_is_array(env, argv[2], &is_array) != napi_ok || !is_array)
    return throw_arg(env, 0, "ownFrames must be an Array", argv[2]);
  if (!get_int(env, argv[3], 1, INT32_MAX, &max_messages))
    return throw_arg(env, 1, "maxMessages must be a positive integer", argv[3]);
  if (!get_int(env, argv[4], 1, INT32_MAX, &max_bytes))
    return throw_arg(env, 1, "maxBytes must be a positive integer", argv[4]);
  if (!get_int(env, argv[5], 1, INT32_MAX, &slab_bytes))
    return throw_arg(env, 1, "slabBytes must be a positive integer", argv[5]);
  if (!get_int(env, argv[6], 0, INT32_MAX, &own_bytes))
    return throw_arg(env, 1, "ownBytes must be a non-negative integer", argv[6]);
  if ((socket = open_socket(env, h)) == NULL) return NULL;
  batch.own_frames = argv[2];
  batch.own_count = 0;
  batch.own_bytes = (size_t)own_bytes;

  while (messages < max_messages && bytes < (size_t)max_bytes) {
    size_t need;
    int32_t* out;
    if (h->pending == 0) {
      int err = receive_message(h, socket);
      /* EFSM: a REQ/REP socket whose turn is to send; for the caller, nothing to read yet. */
      if (err == EAGAIN || err == ZMQ_EFSM) {
        status = STATUS_DRAINED;
        break;
      }
      if (err != 0) {
        if (messages == 0) return throw_errno(env, h->zmq, err, NULL);
        break; /* hand out what came before; the next call meets the error again */
      }
      if (h->pending_bytes > INT32_MAX) {
        close_parts(h);
        return throw_errno(env, h->zmq, EMSGSIZE,
                           "Message larger than 2 GiB dropped (the native data path takes less)");
      }
    }
    if (used_meta + 1 + h->pending > meta_length) {
      if (messages == 0) {
        status = STATUS_META_FULL;
        meta[META_MESSAGES] = (int32_t)(META_HEADER + 1 + h->pending);
        meta[META_STATUS] = status;
        return undefined;
      }
      break;
    }
    need = copied_bytes(h, batch.own_bytes);
    out = meta + used_meta;
    if (need > (size_t)slab_bytes) {
      /* Its small frames do not fit a slab: alone in its batch, with a slab of its own for those that
       * fit and a Buffer each for the rest, so that a frame kept still holds a slab at most (a broker
       * keeping the 1-byte first frame of [1 B, 128 x 8 KiB] held all 1 MiB of it). */
      void* own;
      if (messages > 0) break;
      if (napi_create_arraybuffer(env, (size_t)slab_bytes, &own, &buffer) != napi_ok ||
          !take_pending(env, h, &batch, own, (size_t)slab_bytes, out))
        return NULL;
      messages = 1;
      break;
    }
    if (slab == NULL) {
      slab = slab_with_room(env, d, need, slab_bytes, &buffer, &slab_length);
      if (slab == NULL) return NULL;
      offset = d->slab_used;
    } else if (d->slab_used + need > slab_length) {
      break; /* the slab is full: this message starts the next batch, in a new slab */
    }
    bytes += h->pending_bytes;
    used_meta += 1 + h->pending;
    if (!take_pending(env, h, &batch, slab + d->slab_used, need, out)) return NULL;
    d->slab_used += need;
    messages++;
  }
  meta[META_STATUS] = status;
  meta[META_MESSAGES] = messages;
  meta[META_OFFSET] = (int32_t)offset;
  return buffer;
}

#endif
