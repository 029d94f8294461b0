/*
 * addon.c: the module init of the one addon, and the argument helpers its parts share. The parts
 * stay independent; one that fails to initialise leaves an exception pending and the load fails.
 */
#include "addon.h"

#include <uv.h>

#include <math.h>
#include <stdio.h>

/* native/build.mjs defines it: the sha256 of the native/ .c and .h files, so a stale prebuild can be detected. */
#ifndef ZMQ_EVENTLOOP_SOURCE_HASH
#define ZMQ_EVENTLOOP_SOURCE_HASH "unknown"
#endif

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_value source_hash;
  if (fd_watcher_init(env, exports) == NULL) return NULL;
  if (fd_set_init(env, exports) == NULL) return NULL;
  if (data_path_init(env, exports) == NULL) return NULL;
  if (napi_create_string_utf8(env, ZMQ_EVENTLOOP_SOURCE_HASH, NAPI_AUTO_LENGTH, &source_hash) != napi_ok ||
      napi_set_named_property(env, exports, "sourceHash", source_hash) != napi_ok)
    return NULL;
  return exports;
}

/* Printing arbitrary values could itself throw, so only a number's value is shown. */
napi_value throw_arg(napi_env env, int range, const char* what, napi_value got) {
  static const char* type_names[] = {"undefined", "null",   "boolean", "number", "string",
                                     "symbol",    "object", "function", "external", "bigint"};
  char message[256];
  napi_valuetype type = napi_undefined;
  double number;
  napi_typeof(env, got, &type);
  if (type == napi_number && napi_get_value_double(env, got, &number) == napi_ok) {
    /* As JavaScript prints them: "%g" would say "nan" and "inf". */
    if (isnan(number))
      snprintf(message, sizeof message, "%s (got NaN)", what);
    else if (isinf(number))
      snprintf(message, sizeof message, "%s (got %sInfinity)", what, number < 0 ? "-" : "");
    else
      snprintf(message, sizeof message, "%s (got %.17g)", what, number);
  } else
    snprintf(message, sizeof message, "%s (got %s)", what, type_names[type]);
  (range ? napi_throw_range_error : napi_throw_type_error)(env, NULL, message);
  return NULL;
}

int get_int(napi_env env, napi_value value, int min, int max, int* out) {
  double d;
  /* NaN fails every comparison; the range check comes first so the cast is defined. */
  if (napi_get_value_double(env, value, &d) != napi_ok || !(d >= min && d <= max) ||
      d != (double)(int)d)
    return 0;
  *out = (int)d;
  return 1;
}

napi_value throw_uv(napi_env env, int err, const char* syscall) {
  char message[256];
  napi_value msg, error, value;
  snprintf(message, sizeof message, "%s: %s, %s", uv_err_name(err), uv_strerror(err), syscall);
  if (napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &msg) != napi_ok ||
      napi_create_error(env, NULL, msg, &error) != napi_ok)
    return NULL;
  napi_create_string_utf8(env, uv_err_name(err), NAPI_AUTO_LENGTH, &value);
  napi_set_named_property(env, error, "code", value);
  napi_create_int32(env, err, &value);
  napi_set_named_property(env, error, "errno", value);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &value);
  napi_set_named_property(env, error, "syscall", value);
  napi_throw(env, error);
  return NULL;
}

