// Progress bar: carriage return redraws, ANSI erase-line at the end.
#include "learning/train/progress_bar.h"

#include <unistd.h>

#include <cstdio>

namespace snn::learning {

ProgressBar::ProgressBar(const std::string& label, long total, bool enabled, double images_per_item)
    : label_(label), total_(total), active_(enabled && total > 0 && ::isatty(2)), images_per_item_(images_per_item) {
  start_ = last_ = std::chrono::steady_clock::now();
}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::update(long done, const std::string& extra) {
  if (!active_) return;
  auto now = std::chrono::steady_clock::now();
  if (done < total_ && now - last_ < std::chrono::milliseconds(200)) return;
  last_ = now;
  constexpr int kWidth = 30;
  int filled = static_cast<int>(kWidth * done / total_);
  std::string bar(filled, '#');
  bar += std::string(kWidth - filled, '.');
  double secs = std::chrono::duration<double>(now - start_).count();
  double rate = secs > 0 ? done / secs : 0;
  double eta = rate > 0 ? (total_ - done) / rate : 0;
  std::fprintf(stderr, "\r%s [%s] %ld/%ld  %.0f images/s  eta %.0fs  %s\033[K", label_.c_str(), bar.c_str(), done,
               total_, rate * images_per_item_, eta, extra.c_str());
  std::fflush(stderr);
}

void ProgressBar::finish() {
  if (!active_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  active_ = false;
}

}  // namespace snn::learning
