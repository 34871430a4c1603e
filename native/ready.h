// The readiness form of a call: instead of a thread blocked in the kernel
// (pool.h), the environment's event loop waits for the fd (a uv_poll_t,
// epoll(7) in libuv's loop, as Node's dgram and net wait), and the one
// system call the user asked for is then made on the JavaScript thread,
// with the user's own flags: strace shows the same call line as the other
// forms, preceded by nothing of sockcall's (libuv's epoll_ctl is the
// runtime's, on its own epoll fd).
//
// One poll handle per fd per environment (libuv allows no more), with the
// calls waiting on it in the order they were made; each time the loop
// reports the fd ready, the first waiter whose event it is makes its call,
// and the handle, level-triggered, reports again while more is ready. A
// wakeup with nothing to take (another reader took it) makes the call all
// the same, and its answer is the kernel's: EAGAIN on a non-blocking
// socket, or the call blocks the JavaScript thread on a blocking one (the
// README says when to choose this form).
#pragma once

#include "pool.h"

namespace sockcall {

// Starts waiting for c's fd; c->op->WaitsFor() is not kNoReadiness.
void WaitReady(Napi::Env env, PendingCall* c);

// Ends a waiting readiness-form call (an AbortSignal): false when it is no
// longer waiting. Its Promise is settled before this returns.
bool EndReady(PendingCall* c, int ending);

// close(fd) on this thread: ends this environment's readiness-form calls
// on fd, with kClosed, and stops watching it before the number is freed.
void EndReadyOn(int fd);

// Per environment, from setup(): the poll handles' home, and their teardown.
void InitReady(Napi::Env env);

}  // namespace sockcall
