// Shared pieces of the residual blocks: child seeds, the gradient workspace, elementwise helpers.
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "learning/core/tensor.h"

namespace snn::learning {

/// A well-mixed seed for the k-th child layer of a block or network (splitmix64 of seed and k).
inline std::uint64_t child_seed(std::uint64_t seed, std::uint64_t k) {
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ull * (k + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/// The buffers a residual block needs only while its own forward or backward runs (its
/// gradients, and the forward's values no backward reads). The blocks of a network run one at a
/// time, so they share one workspace (share_workspace): the network then holds the largest
/// block's buffers once instead of every block's. A block made alone has its own.
template <class T>
struct BlockWorkspace {
  std::array<Tensor<T>, 4> buffers;  // a SEW block uses 4, a spiking ResNet block 3
};

/// out = a + b (resized).
template <class T>
void add_tensors(const Tensor<T>& a, const Tensor<T>& b, Tensor<T>& out);
/// acc += b.
template <class T>
void accumulate(Tensor<T>& acc, const Tensor<T>& b);

}  // namespace snn::learning
