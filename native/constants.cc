// Constants, read from the platform's headers when the addon is compiled.
// Nothing here is typed in as a number (the lists are in names.h).
#include "args.h"
#include "names.h"

#include <climits>
#include <cmath>
#include <cstring>

namespace sockcall {
namespace {

Napi::Value Strerror(const Napi::CallbackInfo& info) {
  int err = ArgInt32(info, 0, "errno");
  // strerror_r's GNU form returns a pointer that may or may not be buf.
  char buf[256];
  const char* msg = strerror_r(err, buf, sizeof buf);
  return Napi::String::New(info.Env(), msg);
}

// cmsg(3)'s macros, for sizing control buffers as C and CPython do, over
// the lengths CPython takes: CMSG_LEN(n) for n up to the socklen_t limit
// (INT_MAX) less CMSG_LEN(0), CMSG_SPACE(n) for n up to that limit less
// CMSG_SPACE(1) (socketmodule.c's get_CMSG_LEN and get_CMSG_SPACE).
Napi::Value CmsgLen(const Napi::CallbackInfo& info) {
  double d = info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : -1;
  if (!info[0].IsNumber()) ArgInt32(info, 0, "length");  // the TypeError
  if (d != std::trunc(d) || d < 0 || d > static_cast<double>(INT_MAX - CMSG_LEN(0))) {
    ThrowRangeError(info.Env(), "length must be 0-" + std::to_string(INT_MAX - CMSG_LEN(0)) + " (CMSG_LEN() argument out of range)");
  }
  return Napi::Number::New(info.Env(), static_cast<double>(CMSG_LEN(static_cast<size_t>(d))));
}

Napi::Value CmsgSpace(const Napi::CallbackInfo& info) {
  double d = info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : -1;
  if (!info[0].IsNumber()) ArgInt32(info, 0, "length");
  if (d != std::trunc(d) || d < 0 || d > static_cast<double>(INT_MAX - CMSG_SPACE(1))) {
    ThrowRangeError(info.Env(), "length must be 0-" + std::to_string(INT_MAX - CMSG_SPACE(1)) + " (CMSG_SPACE() argument out of range)");
  }
  return Napi::Number::New(info.Env(), static_cast<double>(CMSG_SPACE(static_cast<size_t>(d))));
}

Napi::Value GaiStrerror(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), gai_strerror(ArgInt32(info, 0, "code")));
}

}  // namespace

void InitConstants(Napi::Env env, Napi::Object exports) {
  Napi::Object constants = Napi::Object::New(env);
#define X(name) constants.Set(#name, Napi::Number::New(env, static_cast<double>(name)));
  SOCKCALL_CONSTANTS(X)
#undef X
  exports.Set("constants", constants);

  Napi::Object codes = Napi::Object::New(env);
  Napi::Object errorcode = Napi::Object::New(env);
#define X(name)                                 \
  codes.Set(#name, Napi::Number::New(env, name)); \
  errorcode.Set(static_cast<uint32_t>(name), Napi::String::New(env, #name));
  SOCKCALL_ERRNO_NAMES(X)
#undef X
  exports.Set("errno", codes);
  exports.Set("errorcode", errorcode);

  Napi::Object sizes = Napi::Object::New(env);
  sizes.Set("sockaddr", Napi::Number::New(env, sizeof(sockaddr)));
  sizes.Set("sockaddr_in", Napi::Number::New(env, sizeof(sockaddr_in)));
  sizes.Set("sockaddr_in6", Napi::Number::New(env, sizeof(sockaddr_in6)));
  sizes.Set("sockaddr_un", Napi::Number::New(env, sizeof(sockaddr_un)));
  sizes.Set("sockaddr_ll", Napi::Number::New(env, sizeof(sockaddr_ll)));
  sizes.Set("sockaddr_storage", Napi::Number::New(env, sizeof(sockaddr_storage)));
  sizes.Set("sun_path", Napi::Number::New(env, sizeof(sockaddr_un::sun_path)));
  sizes.Set("int", Napi::Number::New(env, sizeof(int)));
  sizes.Set("cmsghdr", Napi::Number::New(env, sizeof(cmsghdr)));
  sizes.Set("sock_extended_err", Napi::Number::New(env, sizeof(sock_extended_err)));
  exports.Set("sizeof", sizes);

  exports.Set("strerror", Napi::Function::New(env, Strerror, "strerror"));
  exports.Set("gai_strerror", Napi::Function::New(env, GaiStrerror, "gai_strerror"));
  exports.Set("CMSG_LEN", Napi::Function::New(env, CmsgLen, "CMSG_LEN"));
  exports.Set("CMSG_SPACE", Napi::Function::New(env, CmsgSpace, "CMSG_SPACE"));
}

}  // namespace sockcall
