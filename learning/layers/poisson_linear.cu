// Fused Poisson → Linear → IF/LIF: one pass per sample over all T steps (see poisson_linear.h).
//
// The layer: its buffers, reused from batch to batch, and the launches of the fused kernels in
// poisson_linear/: spike_draws.h (Poisson draws), forward.cu and backward.cu.
#include <thrust/fill.h>
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>

#include <algorithm>

#include "learning/layers/poisson_linear.h"
#include "learning/layers/poisson_linear/kernels.h"
#include "sim/core/errors.h"
#include "sim/core/threads.h"

namespace snn::learning {
namespace {

using poisson_linear_detail::FusedArgs;

constexpr int kAlign = 64;      // bytes: rows of Wᵀ, of the scratch and of the gradients
constexpr int kWidthStep = 16;  // out is padded to a multiple of this many values

/// Wᵀ padded: wt[i, o] = W[o, i] for o < out, 0 beyond.
template <class T>
struct Transpose {
  const T* w;
  T* wt;
  int in, out, width;
  SNN_HD void operator()(std::int64_t k) const {
    const int i = int(k / width), o = int(k % width);
    wt[k] = o < out ? w[std::int64_t(o) * in + i] : T(0);
  }
};

/// Grows v to hold n values after a kAlign-aligned start; returns that start.
template <class T>
T* aligned_buffer(DeviceVector<T>& v, std::int64_t n, bool zero_new = false) {
  const std::int64_t pad = kAlign / std::int64_t(sizeof(T));
  if (static_cast<std::int64_t>(v.size()) < n + pad) {
    v.resize(n + pad);
    if (zero_new) thrust::fill(exec(), v.begin(), v.end(), T(0));
  }
  const auto addr = reinterpret_cast<std::uintptr_t>(raw(v));
  const std::uintptr_t aligned = (addr + kAlign - 1) / kAlign * kAlign;
  return raw(v) + (aligned - addr) / sizeof(T);
}

template <class T>
void grow(DeviceVector<T>& v, std::int64_t n) {
  if (static_cast<std::int64_t>(v.size()) < n) v.resize(n);
}

}  // namespace

template <class T>
PoissonLinearNeuron<T>::PoissonLinearNeuron(Linear<T>& linear, SpikingNeuron<T>& neuron,
                                            std::uint64_t seed)
    : linear_(linear), neuron_(neuron), seed_(seed) {}

template <class T>
void PoissonLinearNeuron<T>::forward(const Tensor<T>& images, int steps, std::uint64_t batch_key,
                                     Tensor<T>& spikes, bool record) {
  require(steps >= 1, "fused Poisson-Linear: steps must be >= 1, got " + std::to_string(steps));
  require(images.ndim() >= 1 && images.dim(0) >= 1,
          "fused Poisson-Linear: images must be [B, ...]");
  batch_ = int(images.dim(0));
  in_ = linear_.in_features();
  out_ = linear_.out_features();
  require(images.size() == std::int64_t(batch_) * in_,
          "fused Poisson-Linear: images " + shape_string(images.shape()) + " do not hold " +
              std::to_string(in_) + " values per sample");
  steps_ = steps;
  batch_key_ = batch_key;
  width_ = (out_ + kWidthStep - 1) / kWidthStep * kWidthStep;
  const int words = (steps + 63) / 64;

  T* wt = aligned_buffer(wt_, std::int64_t(in_) * width_);
  grow(drawn_, std::int64_t(batch_) * in_);
  grow(thr_, std::int64_t(batch_) * in_);
  grow(ones_, std::int64_t(batch_) * in_);
  grow(counts_, std::int64_t(batch_) * 2);
  grow(bits_, std::int64_t(batch_) * in_ * words);
  T* scratch = aligned_buffer(current_, std::int64_t(batch_) * (steps + 2) * width_);
  spikes.resize({steps, batch_, out_});
  v_seq_.resize({steps, batch_, out_});

  thrust::for_each(exec(), thrust::counting_iterator<std::int64_t>(0),
                   thrust::counting_iterator<std::int64_t>(std::int64_t(in_) * width_),
                   Transpose<T>{linear_.weight().value.data(), wt, in_, out_, width_});
  FusedArgs<T> a;
  a.c = neuron_.coeffs();
  a.ps = PoissonStream::make(seed_, batch_key);
  a.key0 = static_cast<std::uint32_t>(a.ps.rng.seed) ^ (a.ps.rng.stream * 0x9E3779B9u);
  a.key1 = static_cast<std::uint32_t>(a.ps.rng.seed >> 32) + a.ps.rng.stream;
  a.images = images.data();
  a.wt = wt;
  a.bias = linear_.has_bias() ? linear_.bias().value.data() : nullptr;
  a.drawn = raw(drawn_);
  a.thr = raw(thr_);
  a.ones = raw(ones_);
  a.counts = raw(counts_);
  a.bits = raw(bits_);
  a.scratch = scratch;
  a.y = spikes.data();
  a.v = v_seq_.data();
  a.steps = steps;
  a.batch = batch_;
  a.in = in_;
  a.out = out_;
  a.width = width_;
  a.words = words;
  poisson_linear_detail::forward_fused(a);
  recorded_ = record;
}

template <class T>
void PoissonLinearNeuron<T>::backward(const Tensor<T>& grad_spikes) {
  require(steps_ > 0 && recorded_ && grad_spikes.shape() == Shape{steps_, batch_, out_},
          "fused Poisson-Linear backward: gradient " + shape_string(grad_spikes.shape()) +
              " does not match the last training forward [" + std::to_string(steps_) + ", " +
              std::to_string(batch_) + ", " + std::to_string(out_) + "]");
  recorded_ = false;  // the backward consumes the scratch (H_t becomes dL/dX_t)
  const T* gv = nullptr;
  if (grad_v_seq_ != nullptr && grad_v_seq_->size() > 0) {
    require(grad_v_seq_->shape() == grad_spikes.shape(),
            "fused Poisson-Linear backward: dL/dV has shape " + shape_string(grad_v_seq_->shape()));
    gv = grad_v_seq_->data();
  }
  // One partition per CPU thread (private gradient rows, no atomics); one per sample on a GPU.
  const int partitions = device_is_cuda() ? batch_ : std::max(1, std::min(batch_, num_threads()));
  T* gwt = aligned_buffer(grad_wt_, std::int64_t(partitions) * in_ * width_, true);
  T* gbp = aligned_buffer(grad_b_, std::int64_t(partitions) * width_, true);
  FusedArgs<T> a;
  a.c = neuron_.coeffs();
  a.ones = raw(ones_);
  a.drawn = raw(drawn_);
  a.thr = raw(thr_);
  a.counts = raw(counts_);
  a.bits = raw(bits_);
  a.scratch = aligned_buffer(current_, std::int64_t(batch_) * (steps_ + 2) * width_);
  a.grad_y = grad_spikes.data();
  a.grad_v = gv;
  a.grad_wt = gwt;
  a.grad_b = gbp;
  a.steps = steps_;
  a.batch = batch_;
  a.in = in_;
  a.out = out_;
  a.width = width_;
  a.words = (steps_ + 63) / 64;
  a.partitions = partitions;
  poisson_linear_detail::backward_fused(a, linear_.weight().grad.data(),
                                        linear_.has_bias() ? linear_.bias().grad.data() : nullptr);
}

template <class T>
std::vector<T> PoissonLinearNeuron<T>::input_spikes() const {
  const int words = (steps_ + 63) / 64;
  const std::vector<int> drawn = to_std(drawn_), ones = to_std(ones_), counts = to_std(counts_);
  const std::vector<std::uint64_t> bits = to_std(bits_);
  std::vector<T> s(std::size_t(steps_) * batch_ * in_, T(0));
  for (int b = 0; b < batch_; ++b) {
    for (int k = 0; k < counts[2 * b + 1]; ++k)
      for (int t = 0; t < steps_; ++t)
        s[(std::size_t(t) * batch_ + b) * in_ + ones[std::size_t(b) * in_ + k]] = T(1);
    for (int j = 0; j < counts[2 * b]; ++j)
      for (int t = 0; t < steps_; ++t)
        if ((bits[(std::size_t(b) * in_ + j) * words + t / 64] >> (t % 64)) & 1u)
          s[(std::size_t(t) * batch_ + b) * in_ + drawn[std::size_t(b) * in_ + j]] = T(1);
  }
  return s;
}

template class PoissonLinearNeuron<float>;
template class PoissonLinearNeuron<double>;

}  // namespace snn::learning
