/*
 * data_path_attach.c: learnLayout() and attach(), from a JS object to a checked zeromq.js socket.
 * Everything about the object is read through safe_read() until its vtable pointer proves it is a
 * zmq::Socket of the image that exports libzmq's functions.
 *
 * zmq::Socket's layout is not taken from a table per release: learnLayout() finds it on a probe
 * socket the caller hands over, open, with its ZMQ_FD and ZMQ_TYPE as zeromq.js reports them.
 * - The socket pointer: the one pointer-aligned field through which libzmq's own zmq_getsockopt
 *   reports that ZMQ_TYPE and ZMQ_FD (libzmq checks its socket's tag first, and the memory is
 *   proven mapped before, so trying a pointer that is not a socket is harmless).
 * - The state byte: learnLayout() calls the probe's close(); the one byte that goes from Open (0)
 *   to Closed (1), while the pointer field becomes NULL, in every probe so far (the search window
 *   reaches past the object, where a neighbour may change too: the caller probes several sockets).
 * Each attach() then checks its socket with libzmq the same way, and every call the two fields.
 *
 * A layout is a property of the image, not of the env: once an env's self-test passed, shareLayout()
 * records it for the process, and another env (a worker thread) adopts it at its first attach
 * (adoptLayout) instead of running a self-test of its own, whose private zmq.Context zeromq.js 6 never
 * terminates before the process exits (three fds per worker).
 */
#include "data_path.h"

#ifdef DATA_PATH_VERIFIED_PLATFORM

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Copy len bytes at addr, or fail (0, errno set) if they are not all mapped, without touching them
 * ourselves: the kernel reads them into a pipe and reports EFAULT instead of a SIGSEGV.
 * (process_vm_readv would do it in one call, but sandboxes such as Docker's default seccomp profile
 * and qemu-user refuse it.) The write is a raw system call: these are deliberate reads of memory we
 * do not own (probing past an object's end is how the layout is found), which libc's write() would
 * let a sanitizer report as ours. Only attach-time reads come here, never a message. */
static int safe_read(const void* addr, void* out, size_t len) {
  int fds[2], ok;
  if (len > PIPE_BUF || pipe2(fds, O_CLOEXEC) != 0) return 0;
  ok = syscall(SYS_write, fds[1], addr, len) == (long)len && read(fds[0], out, len) == (ssize_t)len;
  close(fds[0]);
  close(fds[1]);
  return ok;
}

/* Copy the longest readable prefix of the len bytes at addr (memory is mapped in whole pages, so it
 * is read a page at a time) and return its length. Searches read past an object's end, where the
 * next page may be unmapped: a sanitizer's or a busy heap's object can sit at the end of a mapping. */
static size_t safe_read_prefix(const void* addr, void* out, size_t len) {
  size_t page = (size_t)sysconf(_SC_PAGESIZE), done = 0, chunk;
  while (done < len) {
    chunk = page - ((uintptr_t)addr + done) % page;
    if (chunk > PIPE_BUF) chunk = PIPE_BUF;
    if (chunk > len - done) chunk = len - done;
    if (!safe_read((const uint8_t*)addr + done, (uint8_t*)out + done, chunk)) break;
    done += chunk;
  }
  return done;
}

static napi_value string_value(napi_env env, const char* text) {
  napi_value value;
  return napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &value) == napi_ok ? value : NULL;
}

/* The image whose vtable `vptr` points into, its functions loaded on first sight; NULL with the
 * reason in `why` when it is not usable. */
static image_t* image_of(env_data_t* d, const void* vptr, char* why, size_t why_size) {
  Dl_info info;
  image_t* image;
  void* vtable;
  int i;
  struct {
    const char* name;
    void** slot;
  } symbols[13];
  if (!dladdr(vptr, &info) || info.dli_fname == NULL) {
    snprintf(why, why_size, "its native object's vtable pointer is in no loaded image");
    return NULL;
  }
  for (i = 0; i < d->image_count; i++)
    if (d->images[i].base == info.dli_fbase) return &d->images[i];
  if (d->image_count == MAX_IMAGES) {
    snprintf(why, why_size, "more than %d zeromq.js images are loaded", MAX_IMAGES);
    return NULL;
  }
  image = &d->images[d->image_count];
  memset(image, 0, sizeof *image);
  image->base = info.dli_fbase;
  /* RTLD_NOLOAD: a handle to the image already mapped, never a second copy. */
  image->dl = dlopen(info.dli_fname, RTLD_LAZY | RTLD_NOLOAD);
  if (image->dl == NULL) {
    snprintf(why, why_size, "dlopen(%s, RTLD_NOLOAD) failed", info.dli_fname);
    return NULL;
  }
  /* POSIX lets a void* from dlsym be stored into a function pointer this way. */
  symbols[0].name = "zmq_msg_init", symbols[0].slot = (void**)&image->msg_init;
  symbols[1].name = "zmq_msg_recv", symbols[1].slot = (void**)&image->msg_recv;
  symbols[2].name = "zmq_msg_close", symbols[2].slot = (void**)&image->msg_close;
  symbols[3].name = "zmq_msg_move", symbols[3].slot = (void**)&image->msg_move;
  symbols[4].name = "zmq_msg_data", symbols[4].slot = (void**)&image->msg_data;
  symbols[5].name = "zmq_msg_size", symbols[5].slot = (void**)&image->msg_size;
  symbols[6].name = "zmq_msg_more", symbols[6].slot = (void**)&image->msg_more;
  symbols[7].name = "zmq_send", symbols[7].slot = (void**)&image->send;
  symbols[8].name = "zmq_getsockopt", symbols[8].slot = (void**)&image->getsockopt;
  symbols[9].name = "zmq_errno", symbols[9].slot = (void**)&image->errno_;
  symbols[10].name = "zmq_strerror", symbols[10].slot = (void**)&image->strerror;
  symbols[11].name = "zmq_msg_init_data", symbols[11].slot = (void**)&image->msg_init_data;
  symbols[12].name = "zmq_msg_send", symbols[12].slot = (void**)&image->msg_send;
  for (i = 0; i < (int)(sizeof symbols / sizeof symbols[0]); i++) {
    Dl_info found;
    void* symbol = dlsym(image->dl, symbols[i].name);
    /* dlsym also searches the image's dependencies: insist on the image's own definition. */
    if (symbol == NULL || !dladdr(symbol, &found) || found.dli_fbase != info.dli_fbase) {
      snprintf(why, why_size, "%s does not export %s", info.dli_fname, symbols[i].name);
      dlclose(image->dl);
      return NULL;
    }
    *symbols[i].slot = symbol;
  }
  vtable = dlsym(image->dl, SOCKET_VTABLE_SYMBOL);
  if (vtable == NULL) {
    snprintf(why, why_size, "%s does not export zmq::Socket's vtable", info.dli_fname);
    dlclose(image->dl);
    return NULL;
  }
  image->socket_vptr = (const char*)vtable + SOCKET_VTABLE_POINT;
  d->image_count++;
  return image;
}

/* The zmq::Socket wrapped by `value` and its image, or the reason (in `why` or a literal) it is not
 * one. */
static const char* unwrap_socket(napi_env env, env_data_t* d, napi_value value, const uint8_t** object,
                                 image_t** image, char* why, size_t why_size) {
  const void* vptr;
  void* wrapped = NULL;
  /* A plain object, or one wrapped by nobody: napi_unwrap fails without throwing. */
  if (napi_unwrap(env, value, &wrapped) != napi_ok || wrapped == NULL)
    return "it wraps no native object";
  if (!safe_read(wrapped, &vptr, sizeof vptr)) {
    snprintf(why, why_size, "its native object cannot be read (%s)", strerror(errno));
    return why;
  }
  if ((*image = image_of(d, vptr, why, why_size)) == NULL) return why;
  if (vptr != (*image)->socket_vptr) return "its native object is not a zeromq.js zmq::Socket";
  *object = wrapped;
  return NULL;
}

/* Whether a copy of `size` bytes of an object holds libzmq's live socket tag, at any 4-byte step. */
static int holds_socket_tag(const uint8_t* copy, size_t size) {
  uint32_t word;
  size_t offset;
  for (offset = 0; offset + sizeof word <= size; offset += sizeof word) {
    memcpy(&word, copy + offset, sizeof word);
    if (word == SOCKET_TAG_ALIVE) return 1;
  }
  return 0;
}

/* Whether `socket` is a libzmq socket reporting ZMQ_TYPE `type` and ZMQ_FD `fd`. Any pointer may be
 * tried: libzmq checks its socket's tag (1624 bytes in, in 4.3.5) before using it, and the memory
 * up to past there is proven mapped first (up to 2048 bytes where mapped, SOCKET_TAG_END at least:
 * a real socket object reaches past its tag even at the end of a mapping). Proven mapped is not
 * enough on its own: another thread (a worker's isolate being torn down) may unmap a page between
 * our copy and libzmq's read, which is a SIGSEGV. So libzmq only sees a pointer whose copy holds its
 * live tag, which in practice means a live socket. */
static int is_libzmq_socket(const image_t* zmq, void* socket, int fd, int type) {
  uint8_t probe[2048];
  int value = -1;
  size_t size = sizeof value, readable;
  if (socket == NULL || (uintptr_t)socket % sizeof(void*) != 0) return 0;
  readable = safe_read_prefix(socket, probe, sizeof probe);
  if (readable < SOCKET_TAG_END || !holds_socket_tag(probe, readable)) return 0;
  if (zmq->getsockopt(socket, ZMQ_TYPE, &value, &size) != 0 || value != type) return 0;
  size = sizeof value;
  return zmq->getsockopt(socket, ZMQ_FD, &value, &size) == 0 && value == fd;
}

/* Read learnLayout()'s and attach()'s arguments (socket, fd, type); 0 with a TypeError thrown. */
static int get_socket_args(napi_env env, napi_callback_info info, napi_value* socket, int* fd,
                           int* type) {
  size_t argc = 3;
  napi_value argv[3];
  napi_valuetype value_type;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return 0;
  if (napi_typeof(env, argv[0], &value_type) != napi_ok || value_type != napi_object)
    return throw_arg(env, 0, "socket must be an object", argv[0]), 0;
  if (!get_int(env, argv[1], 0, INT32_MAX, fd))
    return throw_arg(env, 0, "fd must be a non-negative integer", argv[1]), 0;
  if (!get_int(env, argv[2], 0, INT32_MAX, type))
    return throw_arg(env, 0, "type must be a non-negative integer", argv[2]), 0;
  *socket = argv[0];
  return 1;
}

/* The one offset in `found` (of `count`), or the reason there is not exactly one. */
static const char* one_offset(const char* what, const size_t* found, int count, size_t* offset,
                              char* why, size_t why_size) {
  if (count == 1) {
    *offset = found[0];
    return NULL;
  }
  snprintf(why, why_size, "%d fields of the probe's zmq::Socket look like its %s, not one", count,
           what);
  return why;
}

/* learnLayout()'s work: the reason it failed, or NULL with the layout stored in `image`. */
static const char* learn_layout(napi_env env, napi_value probe, const uint8_t* object, image_t* image,
                                int fd, int type, char* why, size_t why_size) {
  uint8_t open[SOCKET_SEARCH_BYTES], closed[SOCKET_SEARCH_BYTES];
  size_t found[8], pointer_offset = 0, state_offset = 0, offset, readable;
  int count = 0, nulled, i;
  void* field;
  napi_value close, ignored;
  const char* failure;
  readable = safe_read_prefix(object, open, sizeof open);
  if (readable < 2 * sizeof(void*)) return "the probe's native object cannot be read";
  memset(open + readable, 0, sizeof open - readable); /* not searched: nothing changes there */
  for (offset = sizeof(void*); offset + sizeof(void*) <= readable; offset += sizeof(void*)) {
    memcpy(&field, open + offset, sizeof field);
    if (is_libzmq_socket(image, field, fd, type) && count < 8) found[count++] = offset;
  }
  if (count == 0) return "no field of the probe's zmq::Socket looks like its libzmq socket pointer";

  if (napi_get_named_property(env, probe, "close", &close) != napi_ok ||
      napi_call_function(env, probe, close, 0, NULL, &ignored) != napi_ok) {
    napi_value error;
    napi_get_and_clear_last_exception(env, &error);
    return "the probe's close() failed";
  }
  if (safe_read_prefix(object, closed, readable) != readable)
    return "the probe's native object cannot be read after close()";
  memset(closed + readable, 0, sizeof closed - readable);
  /* A neighbour past the object's end may hold the same pointer; zeromq.js NULLs only its own. */
  for (i = 0, nulled = 0; i < count; i++) {
    memcpy(&field, closed + found[i], sizeof field);
    if (field == NULL) found[nulled++] = found[i];
  }
  if ((failure = one_offset("libzmq socket pointer (NULL after close())", found, nulled,
                            &pointer_offset, why, why_size)))
    return failure;
  if (image->probes > 0 && image->pointer_offset != pointer_offset) {
    image->layout_learned = image->probes = 0;
    return "a second probe found another socket pointer than the first";
  }
  count = 0;
  for (offset = 0; offset < sizeof open; offset++) {
    int changed = open[offset] == SOCKET_STATE_OPEN && closed[offset] == SOCKET_STATE_CLOSED;
    image->state_candidates[offset] = image->probes == 0 ? changed : image->state_candidates[offset] && changed;
    if (image->state_candidates[offset] && count < 8) found[count++] = offset;
  }
  image->probes++;
  image->pointer_offset = pointer_offset;
  if ((failure = one_offset("state byte", found, count, &state_offset, why, why_size))) {
    image->layout_learned = 0;
    return failure;
  }
  image->state_offset = state_offset;
  image->layout_learned = 1;
  return NULL;
}

napi_value js_learn_layout(napi_env env, napi_callback_info info) {
  napi_value probe, result;
  const uint8_t* object;
  image_t* image;
  const char* failure;
  char why[512];
  int fd, type;
  if (!get_socket_args(env, info, &probe, &fd, &type)) return NULL;
  failure = unwrap_socket(env, env_data(env), probe, &object, &image, why, sizeof why);
  if (failure == NULL) failure = learn_layout(env, probe, object, image, fd, type, why, sizeof why);
  if (failure == NULL) return napi_get_null(env, &result) == napi_ok ? result : NULL;
  return string_value(env, failure);
}

/* The reason attach() refuses the zmq::Socket `object` of `zmq`, or NULL when it is open and its
 * libzmq socket reports ZMQ_FD `fd` and ZMQ_TYPE `type`. */
static const char* check_socket(const uint8_t* object, const image_t* zmq, int fd, int type,
                                char* why, size_t why_size) {
  void* socket;
  uint8_t state;
  if (!zmq->layout_learned) return "zeromq.js's zmq::Socket layout is not learned yet (learnLayout)";
  if (!safe_read(object + zmq->pointer_offset, &socket, sizeof socket) ||
      !safe_read(object + zmq->state_offset, &state, sizeof state))
    return "its native object is shorter than the learned zmq::Socket";
  if (state == SOCKET_STATE_BLOCKED) return REFUSAL_BLOCKED;
  if (state != SOCKET_STATE_OPEN || socket == NULL) return "the socket is closed";
  if (!is_libzmq_socket(zmq, socket, fd, type)) {
    snprintf(why, why_size, "libzmq through the pointer does not report zeromq.js's ZMQ_TYPE %d and "
             "ZMQ_FD %d", type, fd);
    return why;
  }
  return NULL;
}

/* Garbage collected, or env teardown (the images stay mapped until the env data goes, after us). */
static void finalize_handle(napi_env env, void* data, void* hint) {
  handle_t* h = data;
  (void)hint;
  close_parts(h);
  napi_delete_reference(env, h->socket);
  free(h->parts);
  free(h);
}

/* The layouts proven by a passing self-test in some env of this process. Each entry holds a dlopen
 * reference it never closes, so its image stays mapped and its base names it for the process's life;
 * the first also pins this addon, whose table it is (Node unloads an addon with the last env that loaded
 * it: a worker's, when the main thread never loaded it). */
static struct {
  void* base;
  const void* socket_vptr;
  size_t pointer_offset, state_offset;
} proven[MAX_IMAGES];
static int proven_count;
static pthread_mutex_t proven_lock = PTHREAD_MUTEX_INITIALIZER;

napi_value js_share_layout(napi_env env, napi_callback_info info) {
  env_data_t* d = env_data(env);
  int i, j;
  (void)info;
  pthread_mutex_lock(&proven_lock);
  for (i = 0; i < d->image_count; i++) {
    const image_t* image = &d->images[i];
    Dl_info where;
    if (!image->layout_learned) continue;
    for (j = 0; j < proven_count && proven[j].base != image->base; j++) continue;
    if (j < proven_count || proven_count == MAX_IMAGES) continue;
    if (!dladdr(image->socket_vptr, &where) || dlopen(where.dli_fname, RTLD_LAZY | RTLD_NOLOAD) == NULL)
      continue;
    if (proven_count == 0 && !pin_this_addon()) continue;
    proven[proven_count].base = image->base;
    proven[proven_count].socket_vptr = image->socket_vptr;
    proven[proven_count].pointer_offset = image->pointer_offset;
    proven[proven_count].state_offset = image->state_offset;
    proven_count++;
  }
  pthread_mutex_unlock(&proven_lock);
  return NULL;
}

napi_value js_adopt_layout(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value socket, result;
  napi_valuetype value_type;
  const uint8_t* object;
  image_t* image;
  const char* refusal;
  char why[512];
  int i;
  if (napi_get_cb_info(env, info, &argc, &socket, NULL, NULL) != napi_ok) return NULL;
  if (argc < 1 || napi_typeof(env, socket, &value_type) != napi_ok || value_type != napi_object)
    return throw_arg(env, 0, "socket must be an object", socket);
  refusal = unwrap_socket(env, env_data(env), socket, &object, &image, why, sizeof why);
  if (refusal != NULL) return string_value(env, refusal);
  pthread_mutex_lock(&proven_lock);
  for (i = 0; i < proven_count && !image->layout_learned; i++) {
    if (proven[i].base != image->base || proven[i].socket_vptr != image->socket_vptr) continue;
    image->pointer_offset = proven[i].pointer_offset;
    image->state_offset = proven[i].state_offset;
    image->layout_learned = 1;
  }
  pthread_mutex_unlock(&proven_lock);
  /* attach() still proves each socket through libzmq (ZMQ_FD and ZMQ_TYPE) before using it. */
  if (!image->layout_learned) return string_value(env, "no env of this process has proven its image's layout");
  return napi_get_null(env, &result) == napi_ok ? result : NULL;
}

napi_value js_attach(napi_env env, napi_callback_info info) {
  napi_value socket, result;
  const uint8_t* object;
  image_t* zmq;
  const char* refusal;
  char why[512];
  int fd, type;
  handle_t* h;
  if (!get_socket_args(env, info, &socket, &fd, &type)) return NULL;
  refusal = unwrap_socket(env, env_data(env), socket, &object, &zmq, why, sizeof why);
  if (refusal == NULL) refusal = check_socket(object, zmq, fd, type, why, sizeof why);
  if (refusal != NULL) return string_value(env, refusal);

  h = calloc(1, sizeof *h);
  if (h != NULL) h->parts = malloc(INITIAL_PARTS * sizeof *h->parts);
  if (h == NULL || h->parts == NULL) {
    free(h);
    return throw_errno(env, zmq, ENOMEM, "Out of memory attaching the native data path");
  }
  h->magic = HANDLE_MAGIC;
  h->zmq = zmq;
  h->object = object;
  h->capacity = INITIAL_PARTS;
  if (napi_create_reference(env, socket, 0, &h->socket) != napi_ok) {
    free(h->parts);
    free(h);
    return NULL;
  }
  if (napi_create_external(env, h, finalize_handle, NULL, &result) != napi_ok) {
    finalize_handle(env, h, NULL);
    return NULL;
  }
  return result;
}

#endif
