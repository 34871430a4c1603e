// What goes back to JavaScript: the errors that report bad arguments and
// errno, and the results lib/'s functions make.
#pragma once

#include "addon.h"

#include <cstddef>
#include <string>

namespace sockcall {

[[noreturn]] void ThrowTypeError(Napi::Env env, const std::string& msg);
[[noreturn]] void ThrowRangeError(Napi::Env env, const std::string& msg);

// The OSError subclass for `err` (lib/errors.ts decides the class).
Napi::Value MakeErrnoError(Napi::Env env, int err, const char* syscall);
[[noreturn]] void ThrowErrno(Napi::Env env, int err, const char* syscall);
// getaddrinfo(3)'s failure: gaierror, or OSError from errno for EAI_SYSTEM.
[[noreturn]] void ThrowGaiError(Napi::Env env, int code);

// Results are made by lib/'s functions (AddonData), which setup() hands
// over: an array or object literal made in JavaScript takes its shape from
// V8's inline cache, where the same value built through Node-API goes
// through V8's generic property path for every element (callgrind: about
// 1,000 instructions each). A maker's exception stays pending and is thrown.
Napi::Value CallMaker(Napi::Env env, const Napi::FunctionReference& maker, const napi_value* argv, size_t argc);
// [first, second]
Napi::Value MakePair(Napi::Env env, napi_value first, napi_value second);

// An object built property by property, with the keys made once
// (AddonData::keys), for the results that have no maker of lib/'s.
struct ObjectBuilder {
  napi_env env;
  napi_value keys;
  napi_value obj;
  explicit ObjectBuilder(Napi::Env e);
  void Set(Key k, napi_value v);
  void Int(Key k, double v);
  void Str(Key k, const char* s, size_t n);
  void Bytes(Key k, const char* p, size_t n);
  Napi::Value Value() const { return Napi::Value(env, obj); }
};

}  // namespace sockcall
