// exp(-rate·k) for whole numbers of steps k, from a table of the first kSize values: the decays of
// event-driven traces (STDP's K+ and K-) are always whole steps apart, and a lookup costs a load
// where exp() costs tens of cycles. The table holds exactly what std::exp returns for the same
// argument, so a lookup changes no result on the CPU; beyond the table, exp() itself.
#pragma once

#include <cmath>
#include <vector>

#include "sim/core/config.h"
#include "sim/core/device_vector.h"

namespace snn {

struct ExpTableView {
  const double* table = nullptr;
  int size = 0;
  double rate = 0;  ///< f(k) = exp(-rate·k)
  SNN_HD double operator()(int k) const {
    return k >= 0 && k < size ? table[k] : ::exp(-rate * static_cast<double>(k));
  }
};

/// Owns the table of exp(-rate·k), k = 0 .. kSize - 1 (32 KiB: it stays in the caches).
class ExpTable {
 public:
  static constexpr int kSize = 4096;
  ExpTable() = default;
  explicit ExpTable(double rate) : rate_(rate) {
    std::vector<double> h(kSize);
    for (int k = 0; k < kSize; ++k) h[k] = std::exp(-rate * static_cast<double>(k));
    table_ = to_device(h);
  }
  ExpTableView view() const {
    return ExpTableView{raw(table_), static_cast<int>(table_.size()), rate_};
  }

 private:
  DeviceVector<double> table_;
  double rate_ = 0;
};

}  // namespace snn
