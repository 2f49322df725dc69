// Encoders: Poisson rate ≈ pixel, 0 never and 1 always spikes, seeded and reproducible, each
// spike the documented function of the counter-based stream; Direct repeats the image; -normalize
// standardises each channel before either.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "learning/encoding/encoders.h"
#include "learning/train/device_dataset.h"
#include "sim/core/errors.h"

namespace snn::learning {
namespace {

TEST(PoissonEncoder, RateMatchesPixelAndEndsAreExact) {
  const int steps = 400, batch = 8;
  const std::vector<float> levels = {0.0f, 1.0f, 0.1f, 0.5f, 0.9f, 1.0f / 255, 254.0f / 255, 0.3f};
  std::vector<float> img;
  for (int b = 0; b < batch; ++b)
    for (int r = 0; r < 16; ++r)
      for (float l : levels) img.push_back(l);
  const int pixels = 16 * int(levels.size());
  Tensor<float> images, out;
  images.from_host({batch, 4, pixels / 4}, img);
  poisson_encode(images, steps, 42, 7, out);
  EXPECT_EQ(out.shape(), (Shape{steps, batch, 4, pixels / 4}));
  const auto s = out.to_host();
  for (std::size_t li = 0; li < levels.size(); ++li) {
    double count = 0, n = 0;
    for (int t = 0; t < steps; ++t)
      for (int b = 0; b < batch; ++b)
        for (int r = 0; r < 16; ++r) {
          const float v = s[(std::size_t(t) * batch + b) * pixels + r * levels.size() + li];
          ASSERT_TRUE(v == 0.0f || v == 1.0f);
          count += v;
          n += 1;
        }
    const double p = levels[li], rate = count / n;
    if (p == 0.0) EXPECT_EQ(rate, 0.0);
    else if (p == 1.0) EXPECT_EQ(rate, 1.0);
    else EXPECT_NEAR(rate, p, 4 * std::sqrt(p * (1 - p) / n) + 1e-9) << "pixel " << p;
  }
}

TEST(PoissonEncoder, ReproducibleAndDifferentPerSeedAndBatchKey) {
  Tensor<double> images, a, b, c, d;
  std::vector<double> img(2 * 50);
  for (std::size_t k = 0; k < img.size(); ++k) img[k] = (k % 10) / 10.0;
  images.from_host({2, 50}, img);
  poisson_encode(images, 30, 1, 100, a);
  poisson_encode(images, 30, 1, 100, b);
  poisson_encode(images, 30, 2, 100, c);
  poisson_encode(images, 30, 1, 101 + (std::uint64_t(1) << 40), d);
  EXPECT_EQ(a.to_host(), b.to_host());
  EXPECT_NE(a.to_host(), c.to_host());
  EXPECT_NE(a.to_host(), d.to_host());
}

TEST(PoissonEncoder, EachSpikeIsTheDocumentedDraw) {
  // spike(t, b, p) = u < pixel, u = (d·2^8 + r) / 2^24: d = 16-bit digit t % 8 of
  // Philox(counter (p, t / 8, b, key_lo)), r = top 8 bits of word 0 of the refinement stream's
  // Philox(counter (p, t, b, key_lo)).
  const int steps = 19, batch = 3, pixels = 7;
  std::vector<float> img(batch * pixels);
  for (std::size_t k = 0; k < img.size(); ++k) img[k] = float(k % 5) / 4.0f;
  Tensor<float> images, out;
  images.from_host({batch, pixels}, img);
  const std::uint64_t key = (std::uint64_t(3) << 32) | 77u;
  poisson_encode(images, steps, 9, key, out);
  const auto s = out.to_host();
  const PoissonStream ps = PoissonStream::make(9, key);
  EXPECT_EQ(ps.batch_lo, 77u);
  EXPECT_NE(ps.rng.stream, ps.refine.stream);
  for (int t = 0; t < steps; ++t)
    for (int b = 0; b < batch; ++b)
      for (int p = 0; p < pixels; ++p) {
        const float x = img[b * pixels + p];
        const Random4 r = ps.rng.draw(p, t / 8, b, 77u);
        const std::uint32_t d = (r.w[(t % 8) / 2] >> (16 * (t % 2))) & 0xFFFF;
        const std::uint32_t low = ps.refine.draw(p, t, b, 77u).w[0] >> 24;
        const float u = float(d * 256 + low) / 16777216.0f;
        EXPECT_EQ(s[(t * batch + b) * pixels + p], u < x ? 1.0f : 0.0f) << t << " " << b << " " << p;
      }
}

TEST(PoissonEncoder, TiesOnTheTop16BitsAreBrokenByTheLow8Bits) {
  // A pixel whose threshold has top bits equal to a digit: the spike depends on the refinement
  // draw exactly as u = (d·2^8 + r)/2^24 < threshold / 2^24 says.
  const PoissonStream ps = PoissonStream::make(4, 5);
  int ties = 0;
  for (std::uint32_t p = 0; p < 40 && ties < 20; ++p)
    for (std::uint32_t t = 0; t < 8; ++t) {
      const std::uint32_t d = PoissonStream::digit(ps.rng.draw(p, 0, 0, 5), int(t));
      const std::uint32_t r = ps.refine.draw(p, t, 0, 5).w[0] >> 24;
      for (std::uint32_t lo : {0u, 1u, r, r + 1, 255u}) {
        const std::uint32_t thr = (d << 8) | std::min(lo, 255u);
        if (thr == 0) continue;
        EXPECT_EQ(ps.spikes(p, t, 0, thr), d * 256 + r < thr) << p << " " << t << " " << lo;
      }
      ++ties;
    }
  EXPECT_GE(ties, 20);
}

TEST(PoissonEncoder, IntegerThresholdEqualsTheFloatComparison) {
  for (float x : {0.0f, 1e-9f, 1.0f / 255, 0.5f, 0.3f, 254.0f / 255, 0.99999994f, 1.0f, 2.0f, -1.0f})
    for (std::uint32_t m : {0u, 1u, 5u, 1u << 20, 8388608u, 16777215u, 5033165u, 16711679u, 16777214u}) {
      const std::uint32_t word = m << 8 | 0x5Au;
      EXPECT_EQ(uniform01(word) < x, (word >> 8) < poisson_threshold24(x)) << x << " " << m;
    }
}

TEST(DirectEncoder, RepeatsTheImageEveryStep) {
  Tensor<float> images, out;
  images.from_host({2, 3}, {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f});
  direct_encode(images, 3, out);
  EXPECT_EQ(out.shape(), (Shape{3, 2, 3}));
  const auto v = out.to_host();
  for (int t = 0; t < 3; ++t)
    for (int k = 0; k < 6; ++k) EXPECT_EQ(v[t * 6 + k], images.to_host()[k]);
}

// -normalize: per-channel mean/std of the training set, applied when images reach the device.
TEST(InputNormalization, StandardisesEachChannel) {
  io::ImageSet set;
  set.count = 2;
  set.channels = 3;
  set.rows = 1;
  set.cols = 2;
  // image 0: channels (0, 255), (51, 51), (255, 255); image 1: (255, 0), (102, 102), (0, 0).
  set.images = {0, 255, 51, 51, 255, 255, 255, 0, 102, 102, 0, 0};
  set.labels = {0, 1};
  ChannelNormalization n = channel_statistics(set);
  ASSERT_EQ(n.mean.size(), 3u);
  EXPECT_NEAR(n.mean[0], 0.5, 1e-15);
  EXPECT_NEAR(n.std[0], 0.5, 1e-15);
  EXPECT_NEAR(n.mean[1], 0.3, 1e-15);
  EXPECT_NEAR(n.std[1], 0.1, 1e-15);
  EXPECT_NEAR(n.mean[2], 0.5, 1e-15);
  DeviceImageSet<double> d(set, n);
  Tensor<double> images;
  snn::DeviceVector<int> labels;
  d.gather(nullptr, 0, 2, images, labels);
  EXPECT_EQ(images.shape(), (Shape{2, 3, 1, 2}));
  const std::vector<double> x = images.to_host();
  const std::vector<double> expected = {-1, 1, -1, -1, 1, 1, 1, -1, 1, 1, -1, -1};
  for (std::size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(x[i], expected[i], 1e-12) << i;
  // Given values are used as given.
  DeviceImageSet<double> g(set, {{0.0, 0.0, 0.0}, {1.0, 2.0, 0.5}});
  g.gather(nullptr, 0, 1, images, labels);
  EXPECT_NEAR(images.to_host()[2], 0.2 / 2.0, 1e-12);
  EXPECT_NEAR(images.to_host()[4], 2.0, 1e-12);
  EXPECT_THROW(DeviceImageSet<double>(set, {{0.5}, {0.5}}), InvalidParameter);
  EXPECT_THROW(DeviceImageSet<double>(set, {{0, 0, 0}, {1, 0, 1}}), InvalidParameter);
}

}  // namespace
}  // namespace snn::learning
