// Argument conversion and the errors that report bad arguments and errno.
#include "sockcall.h"

#include <cerrno>
#include <cmath>
#include <netdb.h>

namespace sockcall {

AddonData* GetData(Napi::Env env) { return env.GetInstanceData<AddonData>(); }

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

[[noreturn]] void ThrowTypeError(Napi::Env env, const std::string& msg) {
  throw Napi::TypeError::New(env, msg);
}

[[noreturn]] void ThrowRangeError(Napi::Env env, const std::string& msg) {
  throw Napi::RangeError::New(env, msg);
}

Napi::Value MakeErrnoError(Napi::Env env, int err, const char* syscall) {
  AddonData* data = GetData(env);
  if (data == nullptr || data->make_error.IsEmpty()) {
    Napi::Error e = Napi::Error::New(env, std::string(syscall) + " failed");
    e.Set("errno", Napi::Number::New(env, err));
    e.Set("syscall", Napi::String::New(env, syscall));
    return e.Value();
  }
  return data->make_error.Call(
      {Napi::Number::New(env, err), Napi::String::New(env, syscall)});
}

[[noreturn]] void ThrowErrno(Napi::Env env, int err, const char* syscall) {
  throw Napi::Error(env, MakeErrnoError(env, err, syscall));
}

// getaddrinfo(3): EAI_SYSTEM means "look at errno"; CPython's set_gaierror
// raises OSError from errno then, and gaierror(code, gai_strerror) otherwise.
[[noreturn]] void ThrowGaiError(Napi::Env env, int code) {
  if (code == EAI_SYSTEM) ThrowErrno(env, errno, "getaddrinfo");
  AddonData* data = GetData(env);
  if (data == nullptr || data->make_gai_error.IsEmpty()) {
    throw Napi::Error::New(env, gai_strerror(code));
  }
  Napi::Value e = data->make_gai_error.Call(
      {Napi::Number::New(env, code), Napi::String::New(env, gai_strerror(code))});
  throw Napi::Error(env, e);
}

namespace {

std::string Describe(Napi::Value v) {
  switch (v.Type()) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return "a boolean";
    case napi_number: {
      double d = v.As<Napi::Number>().DoubleValue();
      if (std::isnan(d)) return "NaN";
      std::string s = std::to_string(d);
      // to_string gives six decimals; trim the zeros of an integral value.
      if (d == std::floor(d) && std::fabs(d) < 1e15) s = std::to_string(static_cast<long long>(d));
      return s;
    }
    case napi_string: return "a string";
    case napi_symbol: return "a symbol";
    case napi_object: return "an object";
    case napi_function: return "a function";
    case napi_bigint: return "a bigint";
    default: return "an external";
  }
}

double ArgNumber(const Napi::CallbackInfo& info, size_t i, const char* name,
                 const char* what) {
  Napi::Value v = info[i];
  // One Node-API call, not two (napi_typeof, then the value): this runs for
  // every integer argument of every call (callgrind: 535 instructions for
  // getsockopt's two).
  double d;
  if (napi_get_value_double(info.Env(), v, &d) != napi_ok) {
    ThrowTypeError(info.Env(), std::string(name) + " must be " + what + ", got " + Describe(v));
  }
  if (!std::isfinite(d) || d != std::trunc(d)) {
    ThrowTypeError(info.Env(), std::string(name) + " must be " + what + ", got " + Describe(v));
  }
  return d;
}

}  // namespace

int32_t ArgInt32(const Napi::CallbackInfo& info, size_t i, const char* name) {
  double d = ArgNumber(info, i, name, "an integer");
  if (d < INT32_MIN || d > INT32_MAX) {
    ThrowRangeError(info.Env(), std::string(name) + " must be a 32-bit signed integer, got " + Describe(info[i]));
  }
  return static_cast<int32_t>(d);
}

uint32_t ArgUint32(const Napi::CallbackInfo& info, size_t i, const char* name) {
  double d = ArgNumber(info, i, name, "an integer");
  if (d < 0 || d > UINT32_MAX) {
    ThrowRangeError(info.Env(), std::string(name) + " must be an integer from 0 to 4294967295, got " + Describe(info[i]));
  }
  return static_cast<uint32_t>(d);
}

// Any int: lib/ keeps negative numbers away from sys callers, but the facade
// passes -1 on purpose for a closed socket, as CPython does, so that the
// kernel answers EBADF.
int ArgFd(const Napi::CallbackInfo& info, size_t i) {
  return ArgInt32(info, i, "fd");
}

bool ArgBool(const Napi::CallbackInfo& info, size_t i, const char* name) {
  Napi::Value v = info[i];
  if (!v.IsBoolean()) ThrowTypeError(info.Env(), std::string(name) + " must be a boolean, got " + Describe(v));
  return v.As<Napi::Boolean>().Value();
}

bool ToBytes(Napi::Value v, Bytes* out) {
  napi_env env = v.Env();
  bool is = false;
  if (napi_is_typedarray(env, v, &is) == napi_ok && is) {
    napi_typedarray_type type = napi_uint8_array;
    size_t length = 0;
    void* data = nullptr;
    if (napi_get_typedarray_info(env, v, &type, &length, &data, nullptr, nullptr) != napi_ok) return false;
    size_t size;
    switch (type) {
      case napi_int8_array: case napi_uint8_array: case napi_uint8_clamped_array: size = 1; break;
      case napi_int16_array: case napi_uint16_array: size = 2; break;
      case napi_int32_array: case napi_uint32_array: case napi_float32_array: size = 4; break;
      case napi_float64_array: case napi_bigint64_array: case napi_biguint64_array: size = 8; break;
      // A kind this build does not know (Float16Array, in a later Node):
      // refused, rather than guessed at a size that could overrun it.
      default: return false;
    }
    out->data = static_cast<char*>(data);
    out->len = data == nullptr ? 0 : length * size;  // a detached buffer has no bytes
    return true;
  }
  if (napi_is_dataview(env, v, &is) == napi_ok && is) {
    size_t length = 0;
    void* data = nullptr;
    if (napi_get_dataview_info(env, v, &length, &data, nullptr, nullptr) != napi_ok) return false;
    out->data = static_cast<char*>(data);
    out->len = data == nullptr ? 0 : length;
    return true;
  }
  if (napi_is_arraybuffer(env, v, &is) == napi_ok && is) {
    size_t length = 0;
    void* data = nullptr;
    if (napi_get_arraybuffer_info(env, v, &data, &length) != napi_ok) return false;
    out->data = static_cast<char*>(data);
    out->len = data == nullptr ? 0 : length;
    return true;
  }
  return false;
}

Bytes ArgBytes(const Napi::CallbackInfo& info, size_t i, const char* name) {
  Bytes b;
  if (!ToBytes(info[i], &b)) {
    ThrowTypeError(info.Env(), std::string(name) +
                   " must be a Buffer, TypedArray, DataView or ArrayBuffer, got " + Describe(info[i]));
  }
  return b;
}

size_t ArgLength(const Napi::CallbackInfo& info, size_t i, const char* name, size_t max) {
  double d = ArgNumber(info, i, name, "an integer");
  if (d < 0 || d > static_cast<double>(max)) {
    ThrowRangeError(info.Env(), std::string(name) + " must be from 0 to " + std::to_string(max) +
                    " (the buffer's size), got " + Describe(info[i]));
  }
  return static_cast<size_t>(d);
}

}  // namespace sockcall
