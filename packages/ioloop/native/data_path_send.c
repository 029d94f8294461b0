/*
 * data_path_send.c: send(), one whole message of Buffer, typed array, ArrayBuffer or string parts.
 * (A sendBatch() over several messages measured no faster: a native call costs little beside
 * zmq_send.)
 */
#include "data_path.h"

#ifdef DATA_PATH_VERIFIED_PLATFORM

#include <errno.h>
#include <stdio.h>

/* One part to send: its bytes, or (for a string) where its UTF-8 sits in the scratch space, which
 * may move while later parts are converted. */
typedef struct {
  const void* data;
  size_t size;
  size_t scratch_offset;
  int in_scratch;
} part_t;

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

/* Resolve `value` into `part`: 1, or 0 with a TypeError (or another exception) pending. */
static int resolve_part(napi_env env, env_data_t* d, size_t* used, napi_value value, part_t* part,
                        uint32_t index) {
  napi_valuetype type;
  bool is;
  part->in_scratch = 0;
  if (napi_typeof(env, value, &type) != napi_ok) return 0;
  if (type == napi_string) return scratch_string(env, d, used, value, part);
  if (type == napi_object && napi_is_typedarray(env, value, &is) == napi_ok && is) {
    napi_typedarray_type array_type;
    size_t length;
    void* data;
    if (napi_get_typedarray_info(env, value, &array_type, &length, &data, NULL, NULL) != napi_ok)
      return 0;
    part->data = data;
    part->size = length * element_size(array_type);
    return 1;
  }
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
  bool is_array;
  int result = -1;
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
  for (i = 0; i < count; i++) {
    int flags = ZMQ_DONTWAIT | (i + 1 < count ? ZMQ_SNDMORE : 0);
    const void* data = parts[i].in_scratch ? d->scratch + parts[i].scratch_offset : parts[i].data;
    while (h->zmq->send(socket, data, parts[i].size, flags) < 0) {
      int err = h->zmq->errno_();
      if (err == EINTR) continue;
      /* libzmq takes the later parts of a message whose first part it took (ZMQ_SNDMORE): only the
       * first can find no room. */
      if (i == 0 && (err == EAGAIN || err == ZMQ_EFSM)) {
        result = 0;
        goto done;
      }
      throw_errno(env, h->zmq, err, NULL);
      goto done;
    }
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
