// Counter-based RNG: Philox4x32-10 against Random123's published known answers, the stream key
// derivation pinned, a pure function of its counter, uniform, and the same on every system.
#include <gtest/gtest.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/transform.h>

#include <array>

#include "sim/core/device_vector.h"
#include "sim/core/rng.h"

namespace snn {
namespace {

using Words = std::array<std::uint32_t, 4>;

/// Philox4x32-10 written from its definition (Salmon et al., SC11, section 4.1), independently of
/// Random123's code: ten rounds of two 32x32->64 products with the round constants M0, M1 and a
/// Weyl key schedule W0, W1.
Words philox_reference(Words c, std::array<std::uint32_t, 2> k) {
  const std::uint64_t m0 = 0xD2511F53u, m1 = 0xCD9E8D57u;
  for (int round = 0; round < 10; ++round) {
    const std::uint64_t p0 = m0 * c[0], p1 = m1 * c[2];
    c = {static_cast<std::uint32_t>(p1 >> 32) ^ c[1] ^ k[0], static_cast<std::uint32_t>(p1),
         static_cast<std::uint32_t>(p0 >> 32) ^ c[3] ^ k[1], static_cast<std::uint32_t>(p0)};
    k = {k[0] + 0x9E3779B9u, k[1] + 0xBB67AE85u};
  }
  return c;
}

// Random123 1.14, tests/kat_vectors, the three "philox4x32 10" lines: counter (4 words), key
// (2 words), expected output (4 words).
struct Kat {
  Words ctr;
  std::array<std::uint32_t, 2> key;
  Words out;
};
const Kat kKat[] = {
    {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
    {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
     {0xffffffff, 0xffffffff},
     {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
    {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
     {0xa4093822, 0x299f31d0},
     {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
};

TEST(Philox4x32_10, Random123KnownAnswers) {
  for (const Kat& v : kKat) {
    r123::Philox4x32 gen;
    r123::Philox4x32::ctr_type c = {{v.ctr[0], v.ctr[1], v.ctr[2], v.ctr[3]}};
    r123::Philox4x32::key_type k = {{v.key[0], v.key[1]}};
    r123::Philox4x32::ctr_type r = gen(c, k);
    EXPECT_EQ((Words{r[0], r[1], r[2], r[3]}), v.out);
    EXPECT_EQ(philox_reference(v.ctr, v.key), v.out);
  }
}

TEST(CounterRng, KeyDerivationIsPinned) {
  // key = (low 32 bits of seed XOR stream * 0x9E3779B9, high 32 bits of seed + stream): every
  // stored draw (weights, connectivity, Poisson input) depends on it; changing it changes results.
  const std::uint64_t seed = 0x0123456789abcdefull;
  for (std::uint32_t stream : {0u, 1u, 7u, 0xffffffffu}) {
    const std::array<std::uint32_t, 2> key = {0x89abcdefu ^ (stream * 0x9E3779B9u),
                                              0x01234567u + stream};
    Random4 r = CounterRng{seed, stream}.draw(1, 2, 3, 4);
    EXPECT_EQ((Words{r.w[0], r.w[1], r.w[2], r.w[3]}), philox_reference({1, 2, 3, 4}, key))
        << stream;
  }
  // Seed 0, stream 0 is the plain Philox key (0, 0): the first known answer.
  Random4 z = CounterRng{0, 0}.draw(0, 0, 0, 0);
  EXPECT_EQ((Words{z.w[0], z.w[1], z.w[2], z.w[3]}), kKat[0].out);
}

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
    // Against the independent reference, so that a CPU build (where device and host run the same
    // code) still checks the device system's draws.
    const std::uint32_t key0 = 7u ^ (3u * 0x9E3779B9u), key1 = 3u;
    const float expected =
        uniform01(philox_reference({static_cast<std::uint32_t>(i), 7, 0, 0}, {key0, key1})[0]);
    ASSERT_EQ(h[i], expected) << i;
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
