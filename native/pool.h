// The threads the Promise forms run on: a pool shared by every environment
// in the process, grown on demand, one thread per pending call (pool.cc
// says why they are ours and how a call on one is cancelled).
#pragma once

#include "calls.h"

#include <pthread.h>

#include <atomic>
#include <memory>

namespace sockcall {

// How a Promise-form call ended, as lib/calls.ts reads it.
enum Status : int { kOk = 0, kError = 1, kAborted = 2, kClosed = 3 };

struct EnvCalls;
struct Waiter;

// A Promise-form call, from its start on the JavaScript thread to its
// delivery there.
struct PendingCall {
  std::unique_ptr<Op> op;
  double id = 0;
  EnvCalls* owner = nullptr;
  bool ref = true;
  // The readiness form (ready.h): made on the JavaScript thread once the
  // event loop finds the fd ready, never on a thread of the pool.
  bool ready = false;
  bool ready_ref = true;  // its `ref`: kept by the poll handle, not the threadsafe function
  napi_deferred deferred = nullptr;  // its Promise, settled by Deliver()
  bool watched = false;              // lib/ follows it (a signal): complete() is told
  // Written by a canceller under the pool's lock, read by the thread without it.
  std::atomic<bool> cancel{false};
  // What a cancellation reports, kAborted or kClosed: the first canceller's
  // (an abort in one environment and a close() in another may race).
  std::atomic<int> ending{0};
  // The fd whose close() ended the call (a poll's list holds many).
  std::atomic<int> closed_fd{-1};
  int status = kOk;
  // Guarded by the pool's lock.
  bool has_thread = false;
  bool finished = false;  // out of the kernel for good: Finish() ran
  size_t slot = 0;        // its index in the pool's list of running calls
  // The teardown waiting for this call to finish, if any: told alone, so
  // that 10,000 calls finishing wake it once, not 10,000 times.
  Waiter* waiter = nullptr;
  // The close() waiting for this call to leave the kernel, if any; set by
  // the closer under the pool's lock, exchanged for a mark by the call's
  // thread, without the lock, once the call is out of the kernel (pool.cc).
  std::atomic<Waiter*> leaving{nullptr};
  // Cancelled, and its thread not yet sent the signal (the canceller sends it).
  bool unsignalled = false;
  pthread_t thread{};
  // One reference for the environment's table of pending calls, one for
  // the delivery through the threadsafe function.
  std::atomic<int> refs{2};
  void Retain() { refs.fetch_add(1, std::memory_order_relaxed); }
  void Release() {
    if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }
};

// Hands the call to an idle thread, or a new one; throws OSError(EAGAIN)
// past the thread budget, or pthread_create(3)'s errno, if none can be had.
void Dispatch(Napi::Env env, PendingCall* c);

// Cancels every running call that `match` selects and returns once each
// has finished (Finish(): no thread will touch the environment again), or,
// for a close() (`closed` >= 0, the fd closed, for the error kClosed), once
// none of them is in the kernel or can enter it any more.
void CancelAndWait(bool (*match)(const PendingCall*, const void*), const void* arg, int ending, int closed = -1);

// Cancels one call (an AbortSignal) without waiting: its Promise settles
// when it has left the kernel. False when it has already finished.
bool CancelOne(PendingCall* c, int ending);
// The same for many calls at once; returns how many were still running.
size_t CancelMany(PendingCall* const* calls, size_t n, int ending);

// close(fd): ends the calls pending on fd, in any environment, before the
// number can be given to another file.
void EndPendingCallsOn(int fd);

// On the JavaScript thread: settles a readiness-form call (ready.cc) as
// the threadsafe function settles the others, in a callback scope of its
// own when it comes from the event loop.
void DeliverNow(Napi::Env env, PendingCall* c);

// On the call's thread, once it is out of the kernel and before it is
// finished, without the pool's lock: delivers it to its environment
// (promise.cc), or releases it when the environment is going away.
void HandBack(PendingCall* c);

// Marks an environment as going away, under the pool's lock, so that no
// thread that has not yet handed back a call does so after this returns.
void CloseUnderPoolLock(std::atomic<bool>* closed);

struct PoolCounts { size_t threads, idle, running, budget; const char* bound; size_t signals; };
PoolCounts Counts();

// Installs the cancel signal's handler (once per process) and blocks the
// signal in the calling JavaScript thread (once per environment).
void InstallCancelSignal();

}  // namespace sockcall
