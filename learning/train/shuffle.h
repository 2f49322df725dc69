// The order of the training images in each epoch: a permutation that is a pure function of
// (seed, epoch), the same on every platform and standard library, so a resumed run sees the same
// batches as an uninterrupted one.
#pragma once

#include <cstdint>
#include <vector>

namespace snn::learning {

/// A permutation of 0 .. n-1 by Fisher-Yates over std::mt19937_64 seeded from (seed, epoch),
/// with unbiased bounded draws (Lemire's method; std::shuffle's draws differ between libraries).
std::vector<int> epoch_permutation(int n, std::uint64_t seed, int epoch);

}  // namespace snn::learning
