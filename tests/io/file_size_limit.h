// A full disk as the kernel reports it to one process: RLIMIT_FSIZE lowered and SIGXFSZ ignored,
// so writes past the limit fail with EFBIG ("File too large"); both restored afterwards.
#pragma once

#include <sys/resource.h>

#include <csignal>
#include <functional>

namespace snn::test {

/// Runs `body` with files limited to `bytes`; returns false if the limit cannot be set.
inline bool with_file_size_limit(rlim_t bytes, const std::function<void()>& body) {
  rlimit old{};
  if (getrlimit(RLIMIT_FSIZE, &old) != 0) return false;
  void (*old_handler)(int) = std::signal(SIGXFSZ, SIG_IGN);
  rlimit small = old;
  small.rlim_cur = bytes;
  if (setrlimit(RLIMIT_FSIZE, &small) != 0) {
    std::signal(SIGXFSZ, old_handler);
    return false;
  }
  body();
  setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, old_handler);
  return true;
}

}  // namespace snn::test
