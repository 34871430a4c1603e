// The Promise forms: a call that can block runs, once and blocking, on a
// thread sockcall owns; its result or errno comes back to JavaScript through
// a napi_threadsafe_function.
//
// Why our own threads, not AsyncWorker or napi_create_async_work: those run
// on libuv's threadpool (UV_THREADPOOL_SIZE threads, 4 by default). A
// recvfrom blocked there holds a pool thread for as long as no datagram
// comes, so four of them starve fs and dns work, and process.exit() hangs
// because uv_library_shutdown() joins the pool's threads. AsyncWorker also
// cannot stop work that has started.
//
// Threads: a pool shared by every environment in the process (the main
// thread and each Worker), grown on demand, one thread per pending call;
// a thread that has been idle for kLinger exits. Each thread blocks every
// signal but kCancelSignal, so the only signal that can interrupt its system
// call is ours.
//
// Cancellation (an AbortSignal, close() of the fd, or the environment going
// away): set the call's cancel flag, then send kCancelSignal to its thread
// with pthread_kill. The handler does nothing and is installed without
// SA_RESTART, so a blocked call returns EINTR (signal(7), "Interruption of
// system calls and library functions by signal handlers"); the thread sees
// the flag and ends the call. A signal that lands after the thread checked
// the flag but before it entered the kernel is lost, so the canceller sends
// it again until the call has left the kernel. An EINTR without the flag
// (a signal meant for the thread's previous call) is retried, as PEP 475.
//
// Teardown: an environment cleanup hook, registered after the threadsafe
// function so that it runs before the threadsafe function's own (hooks run
// last-in, first-out), cancels every call of the environment and waits until
// none is in the kernel: after that, no thread writes to memory of the
// environment or calls into its threadsafe function. process.exit() runs no
// cleanup hooks; the threads simply die with the process, which does not wait
// for them (they are not libuv's).
#include "ops.h"

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

namespace sockcall {
namespace {

constexpr auto kLinger = std::chrono::milliseconds(1000);
// How long a canceller waits for the call to leave the kernel before sending
// the signal again (the lost-signal window is a few instructions wide).
constexpr auto kResignal = std::chrono::microseconds(500);

#if defined(__SANITIZE_ADDRESS__)
constexpr size_t kStackSize = 1 << 20;
#else
// The thread runs one system call and the code around it; glibc adds the
// guard page. Pages never touched cost no memory.
constexpr size_t kStackSize = 128 << 10;
#endif

int CancelSignal() { return SIGRTMIN + 3; }

enum Status : int { kOk = 0, kError = 1, kAborted = 2, kClosed = 3 };

}  // namespace

struct Call {
  std::unique_ptr<Op> op;
  double id = 0;
  Async* owner = nullptr;
  bool ref = true;
  // Written by a canceller under Pool::mu, read by the thread without it.
  std::atomic<bool> cancel{false};
  // What a cancellation reports, kAborted or kClosed: the first canceller's
  // (an abort in one environment and a close() in another may race).
  std::atomic<int> ending{0};
  int status = kOk;
  // Guarded by Pool::mu.
  bool in_kernel_window = true;  // assigned and not yet finished
  bool has_thread = false;
  pthread_t thread{};
  // One reference for the environment's table of pending calls, one for
  // the delivery through the threadsafe function.
  std::atomic<int> refs{2};
  void Release() {
    if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }
};

struct Worker {
  pthread_t thread{};
  std::condition_variable cv;
  Call* call = nullptr;
};

// Process-wide, never destroyed: threads may still be running while the
// process exits, and must not find a destroyed mutex.
struct Pool {
  std::mutex mu;
  std::condition_variable left;  // a call has left the kernel
  std::vector<Worker*> idle;
  std::vector<Call*> running;    // calls assigned to a thread, not finished
  size_t threads = 0;
};
static Pool* pool = new Pool;  // never deleted, see above

struct Async {
  napi_env env = nullptr;
  napi_threadsafe_function tsfn = nullptr;
  std::unordered_map<double, Call*> pending;
  size_t refs = 0;  // pending calls that keep the event loop alive
  double next_id = 1;
  bool closed = false;  // guarded by Pool::mu once threads may see it
};

namespace {

void OnCancelSignal(int) {}

void InstallSignalHandler() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction sa {};
    sa.sa_handler = OnCancelSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: the blocked call must return EINTR
    sigaction(CancelSignal(), &sa, nullptr);
  });
}

void RemoveRunning(Call* c) {
  auto& v = pool->running;
  for (size_t i = 0; i < v.size(); i++) {
    if (v[i] == c) {
      v[i] = v.back();
      v.pop_back();
      return;
    }
  }
}

void Execute(Call* c) {
  for (;;) {
    if (c->cancel.load(std::memory_order_acquire)) {
      c->status = c->ending.load(std::memory_order_acquire);
      return;
    }
    RunOnce(c->op.get());
    if (c->op->ret >= 0) {
      c->status = kOk;
      return;
    }
    if (c->op->err != EINTR || (!c->op->RetryOnEintr() && !c->cancel.load(std::memory_order_acquire))) {
      c->status = kError;
      return;
    }
  }
}

// On the call's thread, with the call finished: hand it to the environment,
// unless the environment is going away.
void Finish(Call* c) {
  std::lock_guard<std::mutex> lock(pool->mu);
  c->in_kernel_window = false;
  RemoveRunning(c);
  pool->left.notify_all();
  Async* a = c->owner;
  if (a->closed || napi_call_threadsafe_function(a->tsfn, c, napi_tsfn_nonblocking) != napi_ok) {
    c->Release();
  }
}

void* WorkerMain(void* arg) {
  auto* w = static_cast<Worker*>(arg);
  // Named, so that ps -L, top -H, gdb and the tests can tell these threads.
  pthread_setname_np(pthread_self(), "sockcall");
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, CancelSignal());
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  std::unique_lock<std::mutex> lock(pool->mu);
  for (;;) {
    while (w->call == nullptr) {
      if (w->cv.wait_for(lock, kLinger) == std::cv_status::timeout && w->call == nullptr) {
        auto& idle = pool->idle;
        for (size_t i = 0; i < idle.size(); i++) {
          if (idle[i] == w) {
            idle.erase(idle.begin() + static_cast<long>(i));
            break;
          }
        }
        pool->threads--;
        lock.unlock();
        delete w;
        return nullptr;
      }
    }
    Call* c = w->call;
    w->call = nullptr;
    c->thread = w->thread;
    c->has_thread = true;
    lock.unlock();
    Execute(c);
    Finish(c);
    lock.lock();
    pool->idle.push_back(w);
  }
}

// On the JavaScript thread.
void Start(Napi::Env env, Call* c) {
  std::unique_lock<std::mutex> lock(pool->mu);
  pool->running.push_back(c);
  if (!pool->idle.empty()) {
    Worker* w = pool->idle.back();
    pool->idle.pop_back();
    w->call = c;
    // Under the lock: once it is released, the worker may run the call,
    // go idle, time out and delete itself, condition variable included.
    w->cv.notify_one();
    return;
  }
  auto* w = new Worker;
  w->call = c;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, kStackSize);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  // The new thread inherits this mask: every signal blocked until it
  // unblocks kCancelSignal alone.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int err = pthread_create(&w->thread, &attr, WorkerMain, w);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  pthread_attr_destroy(&attr);
  if (err != 0) {
    RemoveRunning(c);
    lock.unlock();
    delete w;
    ThrowErrno(env, err, "pthread_create");
  }
  pool->threads++;
}

// On a JavaScript thread: cancel every running call `match` selects and
// return once none of them is in the kernel any more.
template <typename Match>
void CancelAndWait(Match match, int ending) {
  std::unique_lock<std::mutex> lock(pool->mu);
  for (Call* c : pool->running) {
    if (match(c)) {
      int none = 0;
      c->ending.compare_exchange_strong(none, ending, std::memory_order_acq_rel);
      c->cancel.store(true, std::memory_order_release);
    }
  }
  for (;;) {
    bool any = false;
    for (Call* c : pool->running) {
      if (match(c) && c->cancel.load(std::memory_order_relaxed)) {
        any = true;
        if (c->has_thread) pthread_kill(c->thread, CancelSignal());
      }
    }
    if (!any) return;
    pool->left.wait_for(lock, kResignal);
  }
}

Async* GetAsync(Napi::Env env) {
  AddonData* d = GetData(env);
  if (d == nullptr || d->async == nullptr) {
    ThrowTypeError(env, "sockcall: setup() has not been called in this environment");
  }
  return d->async;
}

// The threadsafe function's call_js: on the JavaScript thread, or with a
// null env when the threadsafe function is torn down with calls queued.
void Deliver(napi_env raw_env, napi_value complete, void*, void* data) {
  auto* c = static_cast<Call*>(data);
  if (raw_env == nullptr) {
    c->Release();
    return;
  }
  Napi::Env env(raw_env);
  Async* a = c->owner;
  if (a->closed) {
    // Teardown has begun: Cleanup() released the table's reference.
    c->Release();
    return;
  }
  a->pending.erase(c->id);
  if (c->ref && --a->refs == 0) napi_unref_threadsafe_function(raw_env, a->tsfn);
  try {
    Napi::Value value = env.Undefined();
    if (c->status == kOk) {
      value = c->op->Result(env);
    } else if (c->status == kError) {
      value = MakeErrnoError(env, c->op->err, c->op->Name());
    } else if (c->status == kClosed) {
      value = Napi::Number::New(env, c->op->fd);
    }
    Napi::Function(env, complete).Call({Napi::Number::New(env, c->id), Napi::Number::New(env, c->status), value});
  } catch (const Napi::Error& e) {
    e.ThrowAsJavaScriptException();
  } catch (const std::bad_alloc&) {
    Napi::RangeError::New(env, "out of memory building the result of " + std::string(c->op->Name()))
        .ThrowAsJavaScriptException();
  } catch (...) {
    Napi::Error::New(env, "sockcall: unexpected exception in a completion").ThrowAsJavaScriptException();
  }
  c->Release();
  c->Release();
}

void Cleanup(void* arg) {
  auto* a = static_cast<Async*>(arg);
  {
    std::lock_guard<std::mutex> lock(pool->mu);
    a->closed = true;
  }
  CancelAndWait([a](Call* c) { return c->owner == a; }, kAborted);
  for (auto& kv : a->pending) kv.second->Release();
  a->pending.clear();
}

template <std::unique_ptr<Op> (*Make)(const Napi::CallbackInfo&, bool)>
Napi::Value Submit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Async* a = GetAsync(env);
  // The last argument: whether the pending call keeps the event loop alive.
  bool ref = ArgBool(info, info.Length() - 1, "ref");
  auto* c = new Call;
  try {
    c->op = Make(info, true);
  } catch (const std::bad_alloc&) {
    delete c;
    ThrowRangeError(env, "the buffers of this call could not be allocated (out of memory)");
  } catch (...) {
    delete c;
    throw;
  }
  c->id = a->next_id++;
  c->owner = a;
  c->ref = ref;
  try {
    Start(env, c);
  } catch (...) {
    delete c;
    throw;
  }
  a->pending.emplace(c->id, c);
  if (ref && a->refs++ == 0) napi_ref_threadsafe_function(env, a->tsfn);
  return Napi::Number::New(env, c->id);
}

Napi::Value Cancel(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Async* a = GetAsync(env);
  if (!info[0].IsNumber()) ThrowTypeError(env, "id must be a number");
  double id = info[0].As<Napi::Number>().DoubleValue();
  auto it = a->pending.find(id);
  if (it == a->pending.end()) return Napi::Boolean::New(env, false);
  Call* target = it->second;
  CancelAndWait([target](Call* c) { return c == target; }, kAborted);
  return Napi::Boolean::New(env, true);
}

Napi::Value Threads(const Napi::CallbackInfo& info) {
  std::lock_guard<std::mutex> lock(pool->mu);
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("threads", Napi::Number::New(info.Env(), static_cast<double>(pool->threads)));
  o.Set("idle", Napi::Number::New(info.Env(), static_cast<double>(pool->idle.size())));
  o.Set("running", Napi::Number::New(info.Env(), static_cast<double>(pool->running.size())));
  return o;
}

// Runs once the threadsafe function is gone, after the last Deliver():
// nothing can reach the environment's Async any more.
void FinalizeTsfn(napi_env, void* data, void*) { delete static_cast<Async*>(data); }

}  // namespace

// close(fd): end the calls pending on fd, in any environment, before the
// number can be given to another file.
void EndPendingCallsOn(int fd) {
  CancelAndWait([fd](Call* c) { return c->op->Uses(fd); }, kClosed);
}

// setup(makeError, makeGaiError, complete): lib/ hands over its functions
// once per environment.
Napi::Value Setup(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  AddonData* d = GetData(env);
  for (size_t i = 0; i < 6; i++) {
    if (!info[i].IsFunction()) ThrowTypeError(env, "setup() takes six functions");
  }
  if (d->async != nullptr) ThrowTypeError(env, "sockcall: setup() was already called in this environment");
  d->make_error = Napi::Persistent(info[0].As<Napi::Function>());
  d->make_gai_error = Napi::Persistent(info[1].As<Napi::Function>());
  d->make_inet = Napi::Persistent(info[3].As<Napi::Function>());
  d->make_inet6 = Napi::Persistent(info[4].As<Napi::Function>());
  d->make_pair = Napi::Persistent(info[5].As<Napi::Function>());
  InstallSignalHandler();
  auto* a = new Async;
  a->env = env;
  napi_value name = Napi::String::New(env, "sockcall");
  napi_status s = napi_create_threadsafe_function(env, info[2], nullptr, name, 0, 1, a, FinalizeTsfn,
                                                  nullptr, Deliver, &a->tsfn);
  if (s != napi_ok) {
    delete a;
    throw Napi::Error::New(env, "napi_create_threadsafe_function failed");
  }
  napi_unref_threadsafe_function(env, a->tsfn);
  d->async = a;
  // After the threadsafe function's own hook, so that this one runs first.
  napi_add_env_cleanup_hook(env, Cleanup, a);
  return env.Undefined();
}

void InitAsync(Napi::Env env, Napi::Object exports) {
  auto fn = [&](const char* name, Napi::Function::Callback cb) {
    exports.Set(name, Napi::Function::New(env, cb, name));
  };
  fn("setup", Setup);
  fn("cancel", Cancel);
  fn("threads", Threads);
  fn("connect", Submit<MakeConnect>);
  fn("accept4", Submit<MakeAccept4>);
  fn("send", Submit<MakeSend>);
  fn("sendto", Submit<MakeSendto>);
  fn("sendmsg", Submit<MakeSendmsg>);
  fn("recv", Submit<MakeRecv>);
  fn("recvfrom", Submit<MakeRecvfrom>);
  fn("recvmsg", Submit<MakeRecvmsg>);
  fn("poll", Submit<MakePoll>);
}

}  // namespace sockcall
