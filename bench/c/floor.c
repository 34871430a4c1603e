// The N-API floor: the least a Node addon can do per call, a reference row in
// `npm run bench`, not a contender. Each function takes its arguments
// unchecked (napi_get_value_int32, napi_get_buffer_info), makes the system
// call, and returns a number; errors come back as -errno. No address is
// decoded. Whatever sockcall costs above this row is sockcall's own; what
// this row costs above C is what any addon pays for being called from
// JavaScript in a Node process.
#include <node_api.h>

#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>

static int arg_int(napi_env env, napi_value v) {
  int32_t n = -1;
  napi_get_value_int32(env, v, &n);
  return n;
}

static napi_value ret(napi_env env, long n, int err) {
  napi_value r;
  napi_create_int32(env, n < 0 ? -err : (int32_t)n, &r);
  return r;
}

static napi_value floor_send(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  void *data = NULL;
  size_t len = 0;
  napi_get_buffer_info(env, argv[1], &data, &len);
  long n = send(arg_int(env, argv[0]), data, len, 0);
  return ret(env, n, errno);
}

static napi_value floor_recvfrom(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  void *data = NULL;
  size_t len = 0;
  napi_get_buffer_info(env, argv[1], &data, &len);
  struct sockaddr_in from;
  socklen_t fl = sizeof from;
  long n = recvfrom(arg_int(env, argv[0]), data, len, 0, (struct sockaddr *)&from, &fl);
  return ret(env, n, errno);
}

static napi_value floor_getsockopt(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int v = 0;
  socklen_t l = sizeof v;
  long r = getsockopt(arg_int(env, argv[0]), SOL_SOCKET, SO_ERROR, &v, &l);
  return ret(env, r < 0 ? r : v, errno);
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
    {"send", NULL, floor_send, NULL, NULL, NULL, napi_default, NULL},
    {"recvfrom", NULL, floor_recvfrom, NULL, NULL, NULL, napi_default, NULL},
    {"getsockopt", NULL, floor_getsockopt, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
