// Argument readers (args.h).
#include "args.h"

#include <cmath>
#include <cstdio>
#include <cstring>

namespace sockcall {
namespace {

// Largest size a "size" argument may ask for: Node's Buffer limit.
constexpr double kMaxSize = 4294967296.0;  // 4 GiB

std::string Describe(Napi::Value v) {
  switch (v.Type()) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return "a boolean";
    case napi_number: {
      double d = v.As<Napi::Number>().DoubleValue();
      // As JavaScript writes them, not as printf does ("inf").
      if (std::isnan(d)) return "NaN";
      if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
      // %.17g: every double exactly, and an integral one without decimals.
      char buf[32];
      snprintf(buf, sizeof buf, "%.17g", d);
      return buf;
    }
    case napi_string: return "a string";
    case napi_symbol: return "a symbol";
    case napi_object: return "an object";
    case napi_function: return "a function";
    case napi_bigint: return "a bigint";
    default: return "an external";
  }
}

double ArgNumber(const Args& info, size_t i, const char* name, const char* what) {
  Napi::Value v = info[i];
  // One Node-API call, not two (napi_typeof, then the value): this runs for
  // every integer argument of every call (callgrind: 535 instructions for
  // getsockopt's two).
  double d;
  if (napi_get_value_double(info.Env(), v, &d) != napi_ok || !std::isfinite(d) || d != std::trunc(d)) {
    ThrowTypeError(info.Env(), std::string(name) + " must be " + what + ", got " + Describe(v));
  }
  return d;
}

}  // namespace

Args::Args(napi_env env, napi_callback_info info) : env_(env) {
  // napi_get_cb_info fills the slots past what was passed with undefined.
  size_t argc = kMax;
  NAPI_THROW_IF_FAILED_VOID(env, napi_get_cb_info(env, info, &argc, argv_, nullptr, nullptr));
  argc_ = argc;
}

Args::Args(const Napi::CallbackInfo& info) : env_(info.Env()), argc_(info.Length()) {
  for (size_t i = 0; i < kMax; i++) argv_[i] = info[i];
}

napi_value Args::Undefined() const { return Env().Undefined(); }

int32_t ArgInt32Slow(const Args& info, size_t i, const char* name) {
  double d = ArgNumber(info, i, name, "an integer");
  if (d < INT32_MIN || d > INT32_MAX) {
    ThrowRangeError(info.Env(), std::string(name) + " must be a 32-bit signed integer, got " + Describe(info[i]));
  }
  return static_cast<int32_t>(d);
}

uint32_t ArgUint32Slow(const Args& info, size_t i, const char* name) {
  double d = ArgNumber(info, i, name, "an integer");
  if (d < 0 || d > UINT32_MAX) {
    ThrowRangeError(info.Env(), std::string(name) + " must be an integer from 0 to 4294967295, got " + Describe(info[i]));
  }
  return static_cast<uint32_t>(d);
}

bool ArgBool(const Args& info, size_t i, const char* name) {
  Napi::Value v = info[i];
  if (!v.IsBoolean()) ThrowTypeError(info.Env(), std::string(name) + " must be a boolean, got " + Describe(v));
  return v.As<Napi::Boolean>().Value();
}

size_t ArgLength(const Args& info, size_t i, const char* name, size_t max) {
  double d = ArgNumber(info, i, name, "an integer");
  if (d < 0 || d > static_cast<double>(max)) {
    ThrowRangeError(info.Env(), std::string(name) + " must be from 0 to " + std::to_string(max) +
                    " (the buffer's size), got " + Describe(info[i]));
  }
  return static_cast<size_t>(d);
}

bool ArgAddrlenSlow(const Args& info, size_t i, const char* name, socklen_t* out) {
  if (info[i].IsNull() || info[i].IsUndefined()) return false;
  uint32_t n = ArgUint32(info, i, name);
  if (n > sizeof(sockaddr_storage)) {
    ThrowRangeError(info.Env(), std::string(name) + " must be from 0 to " + std::to_string(sizeof(sockaddr_storage)) +
                    " (sizeof(struct sockaddr_storage)), got " + std::to_string(n));
  }
  *out = n;
  return true;
}

Napi::Array ArgArray(const Args& info, size_t i, const char* name, uint32_t max) {
  if (!info[i].IsArray()) ThrowTypeError(info.Env(), std::string(name) + " must be an array");
  Napi::Array a = info[i].As<Napi::Array>();
  if (a.Length() > max) {
    ThrowRangeError(info.Env(), std::string(name) + " has " + std::to_string(a.Length()) + " entries; the limit is " +
                    std::to_string(max));
  }
  return a;
}

double FieldInt(Napi::Env env, Napi::Object o, const char* key, const std::string& where, double min, double max,
                bool optional) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() && optional) return 0;
  // The field's name is built for a message only: every address of every
  // connect(), bind() and sendto() is read here.
  auto field = [&] { return where + "." + key; };
  if (!v.IsNumber()) ThrowTypeError(env, field() + " must be an integer");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || d != std::trunc(d)) ThrowTypeError(env, field() + " must be an integer");
  if (d < min || d > max) {
    char got[32];
    snprintf(got, sizeof got, "%.17g", d);
    ThrowRangeError(env, field() + " must be " + std::to_string(static_cast<long long>(min)) + "-" +
                    std::to_string(static_cast<long long>(max)) + ", got " + got);
  }
  return d;
}

bool ToBytes(Napi::Value v, Bytes* out) {
  napi_env env = v.Env();
  switch (fast::TypedArray(env, v, out)) {
    case fast::Typed::kBytes: return true;
    case fast::Typed::kRefused: return false;
    case fast::Typed::kNot: break;
  }
  bool is = false;
  size_t length = 0;
  void* data = nullptr;
  if (napi_is_dataview(env, v, &is) == napi_ok && is) {
    if (napi_get_dataview_info(env, v, &length, &data, nullptr, nullptr) != napi_ok) return false;
    out->data = static_cast<char*>(data);
    out->len = data == nullptr ? 0 : length;
    return true;
  }
  if (napi_is_arraybuffer(env, v, &is) == napi_ok && is) {
    if (napi_get_arraybuffer_info(env, v, &data, &length) != napi_ok) return false;
    out->data = static_cast<char*>(data);
    out->len = data == nullptr ? 0 : length;
    return true;
  }
  return false;
}

Bytes ArgBytes(const Args& info, size_t i, const char* name) {
  Bytes b;
  if (!ToBytes(info[i], &b)) {
    ThrowTypeError(info.Env(), std::string(name) + " must be a Buffer, TypedArray, DataView or ArrayBuffer, got " +
                   Describe(info[i]));
  }
  return b;
}

const char kNoBytes[1] = {0};

void Memory::Own(size_t n) {
  owned.reset(new char[n == 0 ? 1 : n]);
  data = owned.get();
  len = n;
}

void Memory::CopyOf(const Bytes& b) {
  Own(b.len);
  if (b.len > 0) memcpy(data, b.data, b.len);
}

void ArgDataSlow(const Args& info, size_t i, const char* name, bool own, Memory* out) {
  Bytes b = ArgBytes(info, i, name);
  if (!own) {
    out->Borrow(b);
    return;
  }
  if (b.len > kMaxOwned) {
    ThrowRangeError(info.Env(), std::string(name) + " is larger than 1 GiB, the most a call on sockcall's threads copies");
  }
  out->CopyOf(b);
}

// The room a Promise form receives into: on its thread's stack when it is
// small enough (Target), else memory of its own from now on.
void OwnRoom(Target* t, size_t n, bool on_stack) {
  if (on_stack && n <= Target::kStackRoom) {
    t->on_stack = true;
    t->mem.len = n;
    return;
  }
  t->mem.Own(n);
}

void ArgTargetSlow(const Args& info, size_t i, const char* name, bool own, Target* t, bool on_stack) {
  Napi::Value v = info[i];
  // A buffer is asked for first: it is what a hot loop passes (a size is
  // the facade's recv(n), which allocates anyway).
  Bytes b;
  fast::Typed typed = fast::TypedArray(info.Env(), v, &b);
  if (typed == fast::Typed::kNot && v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    if (!std::isfinite(d) || d != std::trunc(d)) {
      ThrowTypeError(info.Env(), std::string(name) + " must be an integer size or a buffer");
    }
    if (d < 0 || d >= kMaxSize) ThrowRangeError(info.Env(), std::string(name) + " must be a size from 0 to 4294967295");
    OwnRoom(t, static_cast<size_t>(d), own && on_stack);
    t->new_buffer = true;
    return;
  }
  if (typed != fast::Typed::kBytes) b = ArgBytes(info, i, name);
  if (!own) {
    t->mem.Borrow(b);
    return;
  }
  if (b.len > kMaxOwned) {
    ThrowRangeError(info.Env(), std::string(name) + " is larger than 1 GiB, the most a call on sockcall's threads copies");
  }
  OwnRoom(t, b.len, on_stack);
  if (napi_create_reference(info.Env(), info[i], 1, &t->dest) != napi_ok) {
    ThrowRangeError(info.Env(), std::string(name) + ": could not hold the buffer for the pending call");
  }
}

void Target::Keep(const char* room, long r) {
  if (r < 0) {
    // Only ever printed by the tracer, as strace prints the pointer.
    mem.data = const_cast<char*>(room);
    return;
  }
  size_t n = static_cast<size_t>(r) < mem.len ? static_cast<size_t>(r) : mem.len;
  char* kept = new (std::nothrow) char[n == 0 ? 1 : n];
  if (kept == nullptr) {
    // The kernel's answer stands (and is traced, with the buffer as a
    // pointer: its bytes are gone); JavaScript is told the bytes could not
    // be kept (Received()).
    dropped = true;
    mem.data = nullptr;
    return;
  }
  if (n > 0) memcpy(kept, room, n);
  mem.owned.reset(kept);
  mem.data = kept;
}

void Target::CopyOut(Napi::Env env, size_t stored, const char* syscall) {
  if (dropped) {
    Forget(env);
    ThrowRangeError(env, std::string(syscall) + ": out of memory keeping the " + std::to_string(stored) +
                             " bytes received; they were dropped");
  }
  if (dest == nullptr) return;
  napi_value v = nullptr;
  Bytes b;
  bool held = napi_get_reference_value(env, dest, &v) == napi_ok && v != nullptr && ToBytes(Napi::Value(env, v), &b);
  Forget(env);
  if (!held || b.len < stored) {
    ThrowTypeError(env, std::string("the buffer given to ") + syscall + " shrank or was detached while the call was " +
                            "pending; " + std::to_string(stored) + " bytes received were dropped");
  }
  if (stored > 0) memcpy(b.data, mem.data, stored);
}

void Target::Forget(Napi::Env env) {
  if (dest == nullptr) return;
  napi_delete_reference(env, dest);
  dest = nullptr;
}

// IOV_MAX is 1024 on Linux (sysconf(_SC_IOV_MAX)); more is EMSGSIZE from the
// kernel, which is its answer to give: the limit here only bounds memory.
constexpr uint32_t kMaxIov = 65536;

void ArgIov(const Args& info, size_t i, const char* name, bool own, bool writing,
            std::vector<Memory>* bufs, std::vector<iovec>* iov) {
  ValueIov(info.Env(), info[i], name, own, writing, bufs, iov);
}

void ValueIov(Napi::Env env, Napi::Value v, const std::string& name, bool own, bool writing, std::vector<Memory>* bufs,
              std::vector<iovec>* iov) {
  if (!v.IsArray()) ThrowTypeError(env, name + " must be an array");
  Napi::Array a = v.As<Napi::Array>();
  if (a.Length() > kMaxIov) {
    ThrowRangeError(env, name + " has " + std::to_string(a.Length()) + " entries; the limit is " + std::to_string(kMaxIov));
  }
  uint32_t n = a.Length();
  // Every element first: reading one may run JavaScript (a getter, a Proxy),
  // which could detach or shrink a buffer whose pointer was already taken.
  // ToBytes runs none, so the pointers taken after this stay valid.
  std::vector<Napi::Value> values;
  values.reserve(n);
  for (uint32_t k = 0; k < n; k++) values.push_back(a.Get(k));
  bufs->resize(n);
  iov->resize(n);
  size_t total = 0;
  for (uint32_t k = 0; k < n; k++) {
    Bytes b;
    if (!ToBytes(values[k], &b)) {
      ThrowTypeError(env, name + "[" + std::to_string(k) + "] must be a Buffer, TypedArray, DataView or ArrayBuffer");
    }
    total += b.len;
    if (own && total > kMaxOwned) {
      ThrowRangeError(env, name + " holds more than 1 GiB, the most a call on sockcall's threads copies");
    }
    Memory& m = (*bufs)[k];
    if (!own) m.Borrow(b);
    else if (writing) m.Own(b.len);
    else m.CopyOf(b);
    (*iov)[k].iov_base = m.data;
    (*iov)[k].iov_len = m.len;
  }
}

}  // namespace sockcall
