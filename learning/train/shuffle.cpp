// Fisher-Yates with a portable bounded draw.
#include "learning/train/shuffle.h"

#include <numeric>
#include <random>

namespace snn::learning {

namespace {

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

/// Uniform in [0, bound) from 64-bit words, without bias (Lemire 2019).
std::uint64_t bounded(std::mt19937_64& gen, std::uint64_t bound) {
  unsigned __int128 m = static_cast<unsigned __int128>(gen()) * bound;
  std::uint64_t low = static_cast<std::uint64_t>(m);
  if (low < bound) {
    std::uint64_t threshold = (0 - bound) % bound;
    while (low < threshold) {
      m = static_cast<unsigned __int128>(gen()) * bound;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

}  // namespace

std::vector<int> epoch_permutation(int n, std::uint64_t seed, int epoch) {
  std::vector<int> p(n > 0 ? n : 0);
  std::iota(p.begin(), p.end(), 0);
  std::mt19937_64 gen(splitmix64(seed ^ splitmix64(static_cast<std::uint64_t>(epoch) + 0x5348554646ull)));
  for (int i = n - 1; i > 0; --i) {
    int j = static_cast<int>(bounded(gen, static_cast<std::uint64_t>(i) + 1));
    std::swap(p[i], p[j]);
  }
  return p;
}

}  // namespace snn::learning
