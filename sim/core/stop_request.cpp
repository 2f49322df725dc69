// The stop request: one lock-free atomic, set from a signal handler.
#include "sim/core/stop_request.h"

#include <atomic>
#include <csignal>
#include <cstdio>

namespace snn {
namespace {
std::atomic<int> g_stop{0};
static_assert(std::atomic<int>::is_always_lock_free,
              "a signal handler may only touch lock-free atomics");

extern "C" void on_stop_signal(int sig) {
  g_stop.store(sig, std::memory_order_relaxed);
}
}  // namespace

int stop_requested() {
  return g_stop.load(std::memory_order_relaxed);
}
void request_stop(int code) {
  g_stop.store(code, std::memory_order_relaxed);
}
void clear_stop_request() {
  g_stop.store(0, std::memory_order_relaxed);
}

void install_stop_handlers() {
  struct sigaction sa = {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND;  // the second signal takes the default action: the process ends
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

const char* stop_signal_name(int code) {
  if (code == SIGINT) return "SIGINT";
  if (code == SIGTERM) return "SIGTERM";
  static char buf[32];
  std::snprintf(buf, sizeof buf, "signal %d", code);
  return buf;
}

}  // namespace snn
