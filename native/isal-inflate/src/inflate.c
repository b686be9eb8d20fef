/*
 * gzip inflation on ISA-L's igzip, for claro's inflate worker
 * (src/layer/inflate.ts): about twice zlib's speed on layer blobs.
 *
 * A stream is inflated a piece at a time: the caller hands in compressed
 * bytes and room for output, and learns how much of each was used. A
 * stream of several gzip members (RFC 1952 section 2.2) is inflated one
 * member after the other; a zero byte where a member would start ends
 * the stream and the rest is ignored, as zlib's gunzip in Node.js treats
 * padding. Each member's CRC-32 and length are checked by igzip.
 *
 * JavaScript interface (all synchronous):
 *   open()                                  -> handle
 *   inflate(handle, input, inAt, output, outAt) -> [consumed, produced]
 *   ended(handle)                           -> true when the bytes so far
 *                                              form whole members
 * Errors thrown carry zlib's wording for the same fault and a code.
 */
#include <isa-l/igzip_lib.h>
#include <node_api.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

typedef struct {
  struct inflate_state state;
  /* The last member ended; the next byte starts another, or padding. */
  bool between;
  /* Padding was seen: every later byte is ignored. */
  bool padded;
} stream_t;

#define CHECK(env, call)                                                    \
  do {                                                                      \
    if ((call) != napi_ok) {                                                \
      napi_throw_error((env), "ERR_ISAL_NAPI", "isal-inflate: " #call);     \
      return NULL;                                                          \
    }                                                                       \
  } while (0)

static void begin_member(stream_t *s) {
  isal_inflate_reset(&s->state);
  s->state.crc_flag = ISAL_GZIP;
  s->between = false;
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  free(data);
}

static napi_value open_stream(napi_env env, napi_callback_info info) {
  (void)info;
  stream_t *s = calloc(1, sizeof(*s));
  if (s == NULL) {
    napi_throw_error(env, "ERR_ISAL_NOMEM", "isal-inflate: out of memory");
    return NULL;
  }
  isal_inflate_init(&s->state);
  s->state.crc_flag = ISAL_GZIP;
  napi_value handle;
  if (napi_create_external(env, s, finalize, NULL, &handle) != napi_ok) {
    free(s);
    napi_throw_error(env, "ERR_ISAL_NAPI", "isal-inflate: cannot wrap state");
    return NULL;
  }
  return handle;
}

/* zlib's message and a code for an igzip error. */
static void throw_inflate_error(napi_env env, int ret) {
  const char *code = "ERR_ISAL_INFLATE";
  const char *msg = "invalid deflate data";
  switch (ret) {
  case ISAL_INVALID_BLOCK:
    code = "ISAL_INVALID_BLOCK";
    msg = "invalid block type";
    break;
  case ISAL_INVALID_SYMBOL:
    code = "ISAL_INVALID_SYMBOL";
    msg = "invalid code";
    break;
  case ISAL_INVALID_LOOKBACK:
    code = "ISAL_INVALID_LOOKBACK";
    msg = "invalid distance too far back";
    break;
  case ISAL_INVALID_WRAPPER:
    code = "ISAL_INVALID_WRAPPER";
    msg = "incorrect header check";
    break;
  case ISAL_UNSUPPORTED_METHOD:
    code = "ISAL_UNSUPPORTED_METHOD";
    msg = "unknown compression method";
    break;
  case ISAL_INCORRECT_CHECKSUM:
    code = "ISAL_INCORRECT_CHECKSUM";
    msg = "incorrect data check";
    break;
  case ISAL_NEED_DICT:
    code = "ISAL_NEED_DICT";
    msg = "a preset dictionary is needed";
    break;
  }
  napi_throw_error(env, code, msg);
}

static stream_t *unwrap(napi_env env, napi_value v) {
  napi_valuetype type;
  void *data = NULL;
  if (napi_typeof(env, v, &type) != napi_ok || type != napi_external ||
      napi_get_value_external(env, v, &data) != napi_ok) {
    napi_throw_type_error(env, "ERR_ISAL_HANDLE",
                          "isal-inflate: not a stream handle");
    return NULL;
  }
  return data;
}

/* The bytes of a Uint8Array from `at` on, or false with a TypeError. */
static bool bytes_from(napi_env env, napi_value array, napi_value at_value,
                       uint8_t **data, size_t *length) {
  napi_typedarray_type type;
  size_t n;
  void *p;
  int64_t at;
  if (napi_get_typedarray_info(env, array, &type, &n, &p, NULL, NULL) !=
          napi_ok ||
      type != napi_uint8_array) {
    napi_throw_type_error(env, "ERR_ISAL_ARG",
                          "isal-inflate: expected a Uint8Array");
    return false;
  }
  if (napi_get_value_int64(env, at_value, &at) != napi_ok || at < 0 ||
      (uint64_t)at > n) {
    napi_throw_range_error(env, "ERR_ISAL_ARG",
                           "isal-inflate: offset outside the array");
    return false;
  }
  *data = (uint8_t *)p + at;
  *length = n - (size_t)at;
  if (*length > UINT32_MAX) *length = UINT32_MAX;
  return true;
}

static napi_value inflate(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 5) {
    napi_throw_type_error(env, "ERR_ISAL_ARG",
                          "isal-inflate: inflate(handle, input, inAt, "
                          "output, outAt)");
    return NULL;
  }
  stream_t *s = unwrap(env, argv[0]);
  uint8_t *in, *out;
  size_t in_len, out_len;
  if (s == NULL || !bytes_from(env, argv[1], argv[2], &in, &in_len) ||
      !bytes_from(env, argv[3], argv[4], &out, &out_len)) {
    return NULL;
  }

  size_t consumed = 0, produced = 0;
  while (!s->padded) {
    if (s->between) {
      if (consumed == in_len) break;
      if (in[consumed] == 0) {
        s->padded = true;
        consumed = in_len;
        break;
      }
      /* Not even the first magic byte: not a member, as zlib says. */
      if (in[consumed] != 0x1f) {
        throw_inflate_error(env, ISAL_INVALID_WRAPPER);
        return NULL;
      }
      begin_member(s);
    }
    s->state.next_in = in + consumed;
    s->state.avail_in = (uint32_t)(in_len - consumed);
    s->state.next_out = out + produced;
    s->state.avail_out = (uint32_t)(out_len - produced);
    int ret = isal_inflate(&s->state);
    consumed = (size_t)(s->state.next_in - in);
    produced = (size_t)(s->state.next_out - out);
    if (ret < 0 || ret == ISAL_NEED_DICT) {
      throw_inflate_error(env, ret);
      return NULL;
    }
    if (s->state.block_state != ISAL_BLOCK_FINISH) break;
    s->between = true;
  }
  if (s->padded) consumed = in_len;

  napi_value result, n;
  CHECK(env, napi_create_array_with_length(env, 2, &result));
  CHECK(env, napi_create_double(env, (double)consumed, &n));
  CHECK(env, napi_set_element(env, result, 0, n));
  CHECK(env, napi_create_double(env, (double)produced, &n));
  CHECK(env, napi_set_element(env, result, 1, n));
  return result;
}

static napi_value ended(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  stream_t *s = argc < 1 ? NULL : unwrap(env, argv[0]);
  if (s == NULL) return NULL;
  napi_value result;
  CHECK(env, napi_get_boolean(env, s->between || s->padded, &result));
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"open", NULL, open_stream, NULL, NULL, NULL, napi_enumerable, NULL},
      {"inflate", NULL, inflate, NULL, NULL, NULL, napi_enumerable, NULL},
      {"ended", NULL, ended, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  CHECK(env, napi_define_properties(env, exports, 3, props));
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }
