// Counter-based RNG: a pure function of its counter, uniform, and the same on every system.
#include <gtest/gtest.h>

#include <thrust/iterator/counting_iterator.h>
#include <thrust/transform.h>

#include "sim/core/device_vector.h"
#include "sim/core/rng.h"

namespace snn {
namespace {

struct DrawUniform {
  CounterRng rng;
  SNN_HD float operator()(std::uint32_t i) const { return uniform01(rng.draw(i, 7, 0, 0).w[0]); }
};

TEST(CounterRng, SameCounterSameNumberDifferentCounterOrStreamDiffers) {
  CounterRng a{42, 0}, b{42, 1};
  EXPECT_EQ(a.draw(1, 2, 3, 4).w[0], a.draw(1, 2, 3, 4).w[0]);
  EXPECT_NE(a.draw(1, 2, 3, 4).w[0], a.draw(1, 2, 3, 5).w[0]);
  EXPECT_NE(a.draw(1, 2, 3, 4).w[0], b.draw(1, 2, 3, 4).w[0]);
}

TEST(CounterRng, DeviceDrawsEqualHostDrawsAndAreUniform) {
  const int n = 100000;
  DrawUniform f{CounterRng{7, 3}};
  DeviceVector<float> u(n);
  thrust::transform(exec(), thrust::counting_iterator<std::uint32_t>(0),
                    thrust::counting_iterator<std::uint32_t>(n), u.begin(), f);
  std::vector<float> h = to_std(u);
  double mean = 0, var = 0;
  for (int i = 0; i < n; ++i) {
    ASSERT_EQ(h[i], f(i));
    ASSERT_GE(h[i], 0.0f);
    ASSERT_LT(h[i], 1.0f);
    mean += h[i];
  }
  mean /= n;
  for (float x : h) var += (x - mean) * (x - mean);
  var /= n;
  EXPECT_NEAR(mean, 0.5, 0.005);
  EXPECT_NEAR(var, 1.0 / 12.0, 0.002);
}

TEST(CounterRng, Uniform01IsExactAtItsEnds) {
  EXPECT_EQ(uniform01(0u), 0.0f);
  EXPECT_LT(uniform01(0xFFFFFFFFu), 1.0f);
}

}  // namespace
}  // namespace snn
