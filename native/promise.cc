// The Promise forms' delivery, per environment: a call started here (Submit)
// runs on a thread of the pool (pool.h), and its result or errno comes back
// to JavaScript through a napi_threadsafe_function, whose call_js (Deliver)
// makes the result and calls lib/'s `complete` on the JavaScript thread.
//
// Teardown: an environment cleanup hook, registered after the threadsafe
// function so that it runs before the threadsafe function's own (hooks run
// last-in, first-out), cancels every call of the environment and waits until
// none is in the kernel: after that, no thread writes to memory of the
// environment or calls into its threadsafe function. process.exit() runs no
// cleanup hooks; the threads simply die with the process, which does not wait
// for them (they are not libuv's).
#include "pool.h"

#include "calls.h"
#include "ready.h"

#include <new>
#include <unordered_map>
#include <vector>

namespace sockcall {

struct EnvCalls {
  napi_threadsafe_function tsfn = nullptr;
  std::unordered_map<double, PendingCall*> pending;
  PendingCall* last = nullptr;  // the last call submitted, for lastId()
  size_t refs = 0;  // pending calls that keep the event loop alive
  double next_id = 1;
  // Set under the pool's lock when teardown begins; read by the threads
  // without it in HandBack(), before they finish. Teardown waits for every
  // call of the environment to finish, so a thread that read false calls a
  // threadsafe function that is still there.
  std::atomic<bool> closed{false};
  Napi::FunctionReference complete;  // lib/'s complete, for DeliverNow()
};

void HandBack(PendingCall* c) {
  EnvCalls* a = c->owner;
  if (a->closed.load(std::memory_order_acquire) || napi_call_threadsafe_function(a->tsfn, c, napi_tsfn_nonblocking) != napi_ok) c->Release();
}

namespace {

EnvCalls* CallsOf(Napi::Env env) {
  AddonData* d = GetData(env);
  if (d == nullptr || d->calls == nullptr) ThrowTypeError(env, "sockcall: setup() has not been called in this environment");
  return d->calls;
}

// The threadsafe function's call_js: on the JavaScript thread, or with a
// null env when the threadsafe function is torn down with calls queued.
void Deliver(napi_env raw_env, napi_value complete, void*, void* data) {
  auto* c = static_cast<PendingCall*>(data);
  if (raw_env == nullptr) {
    c->Release();
    return;
  }
  Napi::Env env(raw_env);
  EnvCalls* a = c->owner;
  if (a->closed.load(std::memory_order_relaxed)) {
    // Teardown has begun: Cleanup() released the table's reference.
    c->op->Settled(env);
    c->Release();
    return;
  }
  a->pending.erase(c->id);
  if (a->last == c) a->last = nullptr;
  if (c->ref && --a->refs == 0) napi_unref_threadsafe_function(raw_env, a->tsfn);
  // The Promise is settled here, from C++: lib/'s `complete` is asked only
  // for what it alone can make (an AbortError with its signal's reason, a
  // SocketClosedError) or when it follows the call (a signal), and what it
  // returns settles the Promise. Whatever fails on the way rejects it:
  // nothing is thrown into the threadsafe function's callback, where Node
  // would drop it and leave the Promise pending.
  napi_value settle = nullptr;
  bool ok = c->status == kOk;
  try {
    Napi::Value value = env.Undefined();
    if (c->status == kOk) {
      value = c->op->Delivered(env);
    } else if (c->status == kError) {
      value = MakeErrnoError(env, c->op->err, c->op->Name());
    } else {
      int closed = c->closed_fd.load(std::memory_order_relaxed);
      value = Napi::Number::New(env, closed >= 0 ? closed : c->op->fd);
    }
    if (c->watched || c->status == kAborted || c->status == kClosed) {
      value = Napi::Function(env, complete).Call({Napi::Number::New(env, c->id), Napi::Number::New(env, c->status), value,
                                                  Napi::String::New(env, c->op->Name())});
    }
    settle = value;
  } catch (const Napi::Error& e) {
    ok = false;
    settle = e.Value();
  } catch (const std::bad_alloc&) {
    ok = false;
    settle = Napi::RangeError::New(env, "out of memory building the result of " + std::string(c->op->Name())).Value();
  }
  c->op->Settled(env);
  if (ok) napi_resolve_deferred(raw_env, c->deferred, settle);
  else napi_reject_deferred(raw_env, c->deferred, settle);
  c->deferred = nullptr;
  c->Release();
  c->Release();
}

}  // namespace

void DeliverNow(Napi::Env env, PendingCall* c) {
  Deliver(env, c->owner->complete.Value(), nullptr, c);
}

namespace {

bool OfEnv(const PendingCall* c, const void* env) { return c->owner == env; }

void Cleanup(void* arg) {
  auto* a = static_cast<EnvCalls*>(arg);
  CloseUnderPoolLock(&a->closed);
  CancelAndWait(OfEnv, a, kAborted);
  for (auto& kv : a->pending) kv.second->Release();
  a->pending.clear();
}

// Runs once the threadsafe function is gone, after the last Deliver():
// nothing can reach the environment's calls any more.
void FinalizeTsfn(napi_env, void* data, void*) { delete static_cast<EnvCalls*>(data); }

Napi::Value Cancel(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EnvCalls* a = CallsOf(env);
  if (!info[0].IsNumber()) ThrowTypeError(env, "id must be a number");
  auto it = a->pending.find(info[0].As<Napi::Number>().DoubleValue());
  if (it == a->pending.end()) return Napi::Boolean::New(env, false);
  if (it->second->ready) return Napi::Boolean::New(env, EndReady(it->second, kAborted));
  // Without waiting: one abort at a time, 10,000 calls sharing a signal
  // would each wait for a thread to leave the kernel (pool.cc).
  return Napi::Boolean::New(env, CancelOne(it->second, kAborted));
}

// lastId(): the id of the call just submitted, which lib/ follows from then
// on: its completion goes through `complete` (a call with a signal).
Napi::Value LastId(const Napi::CallbackInfo& info) {
  EnvCalls* a = CallsOf(info.Env());
  if (a->last == nullptr) return info.Env().Null();
  a->last->watched = true;
  double id = a->last->id;
  a->last = nullptr;
  return Napi::Number::New(info.Env(), id);
}

// cancelMany(ids): the calls of one AbortSignal, aborted together.
Napi::Value CancelManyIds(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EnvCalls* a = CallsOf(env);
  if (!info[0].IsArray()) ThrowTypeError(env, "ids must be an array");
  Napi::Array ids = info[0].As<Napi::Array>();
  std::vector<PendingCall*> calls;
  calls.reserve(ids.Length());
  for (uint32_t i = 0; i < ids.Length(); i++) {
    Napi::Value v = ids.Get(i);
    if (!v.IsNumber()) continue;
    auto it = a->pending.find(v.As<Napi::Number>().DoubleValue());
    if (it != a->pending.end()) calls.push_back(it->second);
  }
  // The readiness-form calls are settled here and now; the others when
  // their threads have left the kernel.
  size_t ended = 0;
  std::vector<PendingCall*> threaded;
  threaded.reserve(calls.size());
  for (PendingCall* c : calls) {
    if (!c->ready) threaded.push_back(c);
    else if (EndReady(c, kAborted)) ended++;
  }
  return Napi::Number::New(env, static_cast<double>(ended + CancelMany(threaded.data(), threaded.size(), kAborted)));
}

Napi::Value Threads(const Napi::CallbackInfo& info) {
  PoolCounts n = Counts();
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("threads", Napi::Number::New(info.Env(), static_cast<double>(n.threads)));
  o.Set("idle", Napi::Number::New(info.Env(), static_cast<double>(n.idle)));
  o.Set("running", Napi::Number::New(info.Env(), static_cast<double>(n.running)));
  o.Set("budget", Napi::Number::New(info.Env(), static_cast<double>(n.budget)));
  o.Set("bound", Napi::String::New(info.Env(), n.bound));
  o.Set("signals", Napi::Number::New(info.Env(), static_cast<double>(n.signals)));
  return o;
}

// setup(makeError, makeGaiError, complete, makeInet, makeInet6, makePair,
// makePairInet):
// lib/native.ts hands over its functions once per environment, as it loads
// the addon, and is given the Float64Array over sync_result (addon.h).
Napi::Value Setup(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  AddonData* d = GetData(env);
  for (size_t i = 0; i < 7; i++) {
    if (!info[i].IsFunction()) ThrowTypeError(env, "setup() takes seven functions");
  }
  if (d->calls != nullptr) ThrowTypeError(env, "sockcall: setup() was already called in this environment");
  d->make_error = Napi::Persistent(info[0].As<Napi::Function>());
  d->make_gai_error = Napi::Persistent(info[1].As<Napi::Function>());
  d->make_inet = Napi::Persistent(info[3].As<Napi::Function>());
  d->make_inet6 = Napi::Persistent(info[4].As<Napi::Function>());
  d->make_pair = Napi::Persistent(info[5].As<Napi::Function>());
  d->make_pair_inet = Napi::Persistent(info[6].As<Napi::Function>());
  InstallCancelSignal();
  auto* a = new EnvCalls;
  napi_value name = Napi::String::New(env, "sockcall");
  napi_status s = napi_create_threadsafe_function(env, info[2], nullptr, name, 0, 1, a, FinalizeTsfn, nullptr, Deliver,
                                                  &a->tsfn);
  if (s != napi_ok) {
    delete a;
    throw Napi::Error::New(env, "napi_create_threadsafe_function failed");
  }
  napi_unref_threadsafe_function(env, a->tsfn);
  a->complete = Napi::Persistent(info[2].As<Napi::Function>());
  d->calls = a;
  InitReady(env);
  // After the threadsafe function's own hook, so that this one runs first.
  napi_add_env_cleanup_hook(env, Cleanup, a);
  napi_value ab, counts;
  // lib/'s layout (native.ts): sync_result's four, then the slots.
  static_assert(offsetof(AddonData::Shared, slots) == 4 * sizeof(double), "the slots follow sync_result");
  constexpr size_t kLength = sizeof(AddonData::Shared) / sizeof(double);
  static_assert(kLength == 4 + 4 * AddonData::kSlots, "no padding in AddonData::Shared");
  if (napi_create_external_arraybuffer(env, &d->shared, sizeof d->shared, nullptr, nullptr, &ab) != napi_ok ||
      napi_create_typedarray(env, napi_float64_array, kLength, ab, 0, &counts) != napi_ok) {
    throw Napi::Error::New(env, "sockcall: setup() could not make its Float64Array");
  }
  return Napi::Value(env, counts);
}

}  // namespace

Napi::Value Submit(const Args& info, std::unique_ptr<Op> op) {
  Napi::Env env = info.Env();
  EnvCalls* a = CallsOf(env);
  // The last argument, `how`: kRef, whether the pending call keeps the
  // event loop alive; kReady, the readiness form (ready.h).
  // Refused here, the call lets go of what it holds of JavaScript's.
  auto refuse = [&](const std::string& why) {
    op->Settled(env);
    ThrowTypeError(env, why);
  };
  Napi::Value how_arg = info[info.Length() - 1];
  if (!how_arg.IsNumber()) refuse("how must be a number");
  uint32_t how = how_arg.As<Napi::Number>().Uint32Value();
  bool ref = (how & 1) != 0;
  bool ready = (how & 2) != 0;
  if (ready && op->WaitsFor() == Op::kNoReadiness) {
    refuse(std::string(op->Name()) + " has no readiness form: it waits in the kernel itself");
  }
  a->last = nullptr;
  auto* c = new PendingCall;
  c->op = std::move(op);
  c->id = a->next_id++;
  c->owner = a;
  c->ref = ready ? false : ref;
  c->ready = ready;
  c->ready_ref = ref;
  napi_value promise;
  if (napi_create_promise(env, &c->deferred, &promise) != napi_ok) {
    c->op->Settled(env);
    delete c;
    throw Napi::Error::New(env, "napi_create_promise failed");
  }
  if (ready) {
    // In the table first: WaitReady() may make the call at once and settle
    // it (an fd epoll refuses), which takes it out of the table again.
    a->pending.emplace(c->id, c);
    a->last = c;
    WaitReady(env, c);
    return Napi::Value(env, promise);
  }
  try {
    Dispatch(env, c);
  } catch (const Napi::Error& e) {
    // The Promise is made already: it rejects, as a call refused does.
    napi_reject_deferred(env, c->deferred, e.Value());
    c->op->Settled(env);
    delete c;
    return Napi::Value(env, promise);
  }
  a->pending.emplace(c->id, c);
  a->last = c;
  if (c->ref && a->refs++ == 0) napi_ref_threadsafe_function(env, a->tsfn);
  return Napi::Value(env, promise);
}

void InitPromise(Napi::Env env, Napi::Object exports) {
  exports.Set("setup", Napi::Function::New(env, Setup, "setup"));
  exports.Set("cancel", Napi::Function::New(env, Cancel, "cancel"));
  exports.Set("cancelMany", Napi::Function::New(env, CancelManyIds, "cancelMany"));
  exports.Set("lastId", Napi::Function::New(env, LastId, "lastId"));
  exports.Set("threads", Napi::Function::New(env, Threads, "threads"));
}

}  // namespace sockcall
