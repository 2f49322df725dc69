// exp_table.h: the decay table returns exactly std::exp(-rate·k) in and beyond its range, so
// replacing exp() by a lookup changes no STDP or tsodyks2 result; evaluated on the device too.
#include <gtest/gtest.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/transform.h>

#include <cmath>
#include <vector>

#include "sim/core/device_vector.h"
#include "sim/core/exp_table.h"

namespace snn {
namespace {

struct Lookup {
  ExpTableView t;
  SNN_HD double operator()(int k) const { return t(k); }
};

TEST(ExpTable, EqualsStdExpBitForBitInsideAndBeyondTheTable) {
  for (double rate : {0.1 / 20.0, 0.1 / 800.0, 0.1 / 0.2}) {
    const ExpTable table(rate);
    const ExpTableView v = table.view();
    ASSERT_EQ(v.size, ExpTable::kSize);
    for (int k : {0, 1, 2, 37, 199, 4095, 4096, 4097, 100000})
      EXPECT_EQ(v(k), std::exp(-rate * static_cast<double>(k))) << rate << " " << k;
    EXPECT_EQ(v(0), 1.0);
  }
}

TEST(ExpTable, DeviceLookupsMatchTheHostOnes) {
  const ExpTable table(0.1 / 20.0);
  const int n = 5000;  // past the table's end
  DeviceVector<double> out(n);
  thrust::transform(exec(), thrust::counting_iterator<int>(0), thrust::counting_iterator<int>(n),
                    out.begin(), Lookup{table.view()});
  const std::vector<double> h = to_std(out);
  for (int k = 0; k < ExpTable::kSize; ++k) ASSERT_EQ(h[k], table.view()(k)) << k;
  // Beyond the table the device's exp() may differ from the host's in the last bit.
  for (int k = ExpTable::kSize; k < n; ++k) ASSERT_NEAR(h[k], std::exp(-0.005 * k), 1e-15) << k;
}

}  // namespace
}  // namespace snn
