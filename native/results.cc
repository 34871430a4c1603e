// What goes back to JavaScript (results.h).
#include "results.h"

#include <cerrno>
#include <netdb.h>

namespace sockcall {

AddonData* GetData(Napi::Env env) { return env.GetInstanceData<AddonData>(); }

[[noreturn]] void ThrowTypeError(Napi::Env env, const std::string& msg) { throw Napi::TypeError::New(env, msg); }

[[noreturn]] void ThrowRangeError(Napi::Env env, const std::string& msg) { throw Napi::RangeError::New(env, msg); }

Napi::Value CallMaker(Napi::Env env, const Napi::FunctionReference& maker, const napi_value* argv, size_t argc) {
  if (maker.IsEmpty()) throw Napi::Error::New(env, "sockcall: a result was made before setup()");
  napi_value undefined, result;
  napi_get_undefined(env, &undefined);
  if (napi_call_function(env, undefined, maker.Value(), argc, argv, &result) != napi_ok) {
    throw Napi::Error::New(env);
  }
  return Napi::Value(env, result);
}

Napi::Value MakePair(Napi::Env env, napi_value first, napi_value second) {
  napi_value argv[2] = {first, second};
  return CallMaker(env, GetData(env)->make_pair, argv, 2);
}

Napi::Value MakeErrnoError(Napi::Env env, int err, const char* syscall) {
  napi_value argv[2] = {Napi::Number::New(env, err), Napi::String::New(env, syscall)};
  return CallMaker(env, GetData(env)->make_error, argv, 2);
}

[[noreturn]] void ThrowErrno(Napi::Env env, int err, const char* syscall) {
  throw Napi::Error(env, MakeErrnoError(env, err, syscall));
}

// getaddrinfo(3): EAI_SYSTEM means "look at errno"; CPython's set_gaierror
// raises OSError from errno then, and gaierror(code, gai_strerror) otherwise.
[[noreturn]] void ThrowGaiError(Napi::Env env, int code) {
  if (code == EAI_SYSTEM) ThrowErrno(env, errno, "getaddrinfo");
  napi_value argv[2] = {Napi::Number::New(env, code), Napi::String::New(env, gai_strerror(code))};
  throw Napi::Error(env, CallMaker(env, GetData(env)->make_gai_error, argv, 2));
}

ObjectBuilder::ObjectBuilder(Napi::Env e) : env(e) {
  keys = GetData(e)->keys.Value();
  napi_create_object(env, &obj);
}

void ObjectBuilder::Set(Key k, napi_value v) {
  napi_value key;
  napi_get_element(env, keys, k, &key);
  napi_set_property(env, obj, key, v);
}

void ObjectBuilder::Int(Key k, double v) {
  napi_value n;
  napi_create_double(env, v, &n);
  Set(k, n);
}

void ObjectBuilder::Str(Key k, const char* s, size_t n) {
  napi_value v;
  napi_create_string_latin1(env, s, n, &v);
  Set(k, v);
}

void ObjectBuilder::Bytes(Key k, const char* p, size_t n) { Set(k, Napi::Buffer<char>::Copy(env, p, n)); }

}  // namespace sockcall
