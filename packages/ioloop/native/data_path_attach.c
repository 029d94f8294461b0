/*
 * data_path_attach.c: attach(), from a JS object to a checked zeromq.js socket. Everything about
 * the object is read through safe_read() until its vtable pointer proves it is a zmq::Socket of the
 * image that exports libzmq's functions; then its fields are checked against what zeromq.js and
 * libzmq say.
 */
#include "data_path.h"

#ifdef DATA_PATH_VERIFIED_PLATFORM

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

/* Copy len bytes at addr, or fail (0) if they are not all mapped, without touching them ourselves:
 * the kernel does the read and reports EFAULT instead of a SIGSEGV. */
static int safe_read(const void* addr, void* out, size_t len) {
  struct iovec local = {out, len};
  struct iovec remote = {(void*)addr, len};
  return process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == (ssize_t)len;
}

static napi_value string_value(napi_env env, const char* text) {
  napi_value value;
  return napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &value) == napi_ok ? value : NULL;
}

/* The image whose vtable `vptr` points into, its functions loaded on first sight; NULL with the
 * reason in `why` when it is not usable. */
static const image_t* image_of(env_data_t* d, const void* vptr, char* why, size_t why_size) {
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

/* The reason attach() refuses, or NULL when `object` is an open zeromq.js socket of type `type`
 * whose libzmq socket reports `fd`. */
static const char* check_socket(env_data_t* d, const uint8_t* object, int fd, int type,
                                const image_t** zmq_out, char* why, size_t why_size) {
  const void* vptr;
  uint8_t fields[SOCKET_OFFSET_TYPE + sizeof(int) - SOCKET_OFFSET_POINTER];
  void* socket;
  int state, object_type, libzmq_fd = -1, libzmq_type = -1;
  size_t size = sizeof(int);
  char probe[2048];
  const image_t* zmq;
  if (!safe_read(object, &vptr, sizeof vptr)) {
    /* EFAULT: not mapped; EPERM or ENOSYS: a sandbox forbids process_vm_readv, so nothing is
     * safe to read. */
    snprintf(why, why_size, "its native object cannot be read (process_vm_readv: %s)",
             strerror(errno));
    return why;
  }
  if ((zmq = image_of(d, vptr, why, why_size)) == NULL) return why;
  if (vptr != zmq->socket_vptr) return "its native object is not a zeromq.js zmq::Socket";
  /* From here the object is known to be a zmq::Socket; the reads stay safe in case a version with
   * another layout passed the TypeScript side's version check. */
  if (!safe_read(object + SOCKET_OFFSET_POINTER, fields, sizeof fields))
    return "its native object is shorter than zeromq.js 6.8's zmq::Socket";
  memcpy(&socket, fields, sizeof socket);
  state = fields[SOCKET_OFFSET_STATE - SOCKET_OFFSET_POINTER];
  memcpy(&object_type, fields + SOCKET_OFFSET_TYPE - SOCKET_OFFSET_POINTER, sizeof object_type);
  if (state == SOCKET_STATE_BLOCKED) return "the socket is blocked by a bind or unbind operation";
  if (state != SOCKET_STATE_OPEN || socket == NULL) return "the socket is closed";
  if (object_type != type) {
    snprintf(why, why_size, "the type at offset %d is %d, zeromq.js reports %d", SOCKET_OFFSET_TYPE,
             object_type, type);
    return why;
  }
  /* libzmq checks its socket's tag before using it (1624 bytes in, in 4.3.5): make sure the memory
   * up to there is mapped first. */
  if (!safe_read(socket, probe, sizeof probe)) return "the socket pointer cannot be read";
  if (zmq->getsockopt(socket, ZMQ_TYPE, &libzmq_type, &size) != 0 || libzmq_type != type ||
      zmq->getsockopt(socket, ZMQ_FD, &libzmq_fd, &size) != 0 || libzmq_fd != fd) {
    snprintf(why, why_size, "libzmq through the pointer reports ZMQ_TYPE %d and ZMQ_FD %d, "
             "zeromq.js %d and %d", libzmq_type, libzmq_fd, type, fd);
    return why;
  }
  *zmq_out = zmq;
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

napi_value js_attach(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], result;
  napi_valuetype type;
  void* object = NULL;
  const image_t* zmq = NULL;
  const char* refusal;
  char why[512];
  int fd, socket_type;
  handle_t* h;
  env_data_t* d = env_data(env);
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (napi_typeof(env, argv[0], &type) != napi_ok || type != napi_object)
    return throw_arg(env, 0, "socket must be an object", argv[0]);
  if (!get_int(env, argv[1], 0, INT32_MAX, &fd))
    return throw_arg(env, 0, "fd must be a non-negative integer", argv[1]);
  if (!get_int(env, argv[2], 0, INT32_MAX, &socket_type))
    return throw_arg(env, 0, "type must be a non-negative integer", argv[2]);
  /* A plain object, or one wrapped by nobody: napi_unwrap fails without throwing. */
  if (napi_unwrap(env, argv[0], &object) != napi_ok || object == NULL)
    return string_value(env, "it wraps no native object");
  refusal = check_socket(d, object, fd, socket_type, &zmq, why, sizeof why);
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
  if (napi_create_reference(env, argv[0], 0, &h->socket) != napi_ok) {
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
