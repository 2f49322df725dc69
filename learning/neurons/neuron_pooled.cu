// SpikingNeuron fed one frame at every step with the max pool after it folded into its passes
// (forward_repeated_pooled, backward_pooled): each plane's steps in one call with the plane's
// state on the stack, each step's spikes pooled as soon as they are drawn; the backward reads
// dL/d(pool output) through the argmax. Neither the spikes of every step at full resolution nor
// their gradient are stored.
#include <thrust/copy.h>

#include <cstdint>

#include "learning/layers/index_loop.h"
#include "learning/layers/max_pool_tiles.h"
#include "learning/layers/pooling.h"
#include "learning/neurons/neuron.h"
#include "learning/neurons/neuron_kernels.h"
#include "sim/core/errors.h"

namespace snn::learning {
namespace {

using namespace neuron_detail;

/// dL/dS_t of neuron i through a max pool whose windows tile the plane (MaxPool2d::tiles()):
/// the gradient of its window's output if it was that window's max, else 0 (and 0 outside every
/// window, in the rows and columns the floor division drops), as MaxPool2d::backward would write.
template <class T>
struct PooledGrad {
  const T* grad_y;             // [T, planes, out_h, out_w]
  const std::uint8_t* argmax;  // per output: kh·kernel + kw of its max
  int height, width, out_h, out_w, kernel;
  std::int64_t per_step;  // planes · out_h · out_w
  struct Lane {
    std::int64_t out;  // the neuron's window output within a step, or -1
    int at_window;     // the neuron's offset in its window, kh·kernel + kw
  };
  /// The lanes of neurons i0 .. i0 + m - 1: divisions for the first, then a walk along the rows
  /// (a division per neuron would cost more than its whole backward).
  SNN_HD void lanes(std::int64_t i0, std::int64_t m, Lane* out) const {
    const std::int64_t plane_size = std::int64_t(height) * width;
    std::int64_t plane = i0 / plane_size;
    const int r = static_cast<int>(i0 - plane * plane_size);
    int h = r / width, w = r % width;
    int oh = h / kernel, kh = h % kernel, ow = w / kernel, kw = w % kernel;  // window, offset
    for (std::int64_t j = 0; j < m; ++j) {
      out[j].at_window = kh * kernel + kw;
      out[j].out = oh < out_h && ow < out_w ? (plane * out_h + oh) * out_w + ow : -1;
      if (++kw == kernel) kw = 0, ++ow;
      if (++w == width) {
        w = kw = ow = 0;
        if (++kh == kernel) kh = 0, ++oh;
        if (++h == height) h = kh = oh = 0, ++plane;
      }
    }
  }
  SNN_HD T at(const Lane& l, std::int64_t t) const {
    if (l.out < 0) return T(0);
    const std::int64_t o = t * per_step + l.out;
    return argmax[o] == l.at_window ? grad_y[o] : T(0);
  }
};

/// One step of neurons fed one frame x: V (kept between the calls) → V, S_t.
template <class T, ChargeKind C>
struct StepNeuron {
  NeuronCoeffs<T> c;
  const T* x;
  T* v;
  T* s;
  std::int64_t n;
  SNN_HD void operator()(std::int64_t chunk) const { with_step_kind(c, *this, chunk); }
  template <bool Smooth, bool Hard>
  SNN_HD void run(std::int64_t chunk) const {
    const std::int64_t i0 = chunk * kLanes;
    const std::int64_t m = n - i0 < kLanes ? n - i0 : kLanes;
    for (std::int64_t j = i0; j < i0 + m; ++j) neuron_step<C, Smooth, Hard>(c, v[j], x[j], s[j]);
  }
};

/// Planes up to which the folded neuron + max pool runs each plane's steps in one call, with the
/// plane's potentials and spikes on the stack (CPU; a GPU thread would need too much of it).
constexpr int kMaxFoldedPlane = device_is_cuda() ? 0 : 4096;

/// One (b, c) plane of neurons fed one frame, all its steps, each step's spikes max-pooled over
/// tiling windows as soon as they are drawn: y [T, planes, out_h, out_w] and the argmax.
template <class T, ChargeKind C>
struct FoldedPlaneNeuron {
  NeuronCoeffs<T> c;
  const T* x;  // [planes, height, width]
  T* y;
  std::uint8_t* argmax;
  int height, width, kernel, out_h, out_w;
  std::int64_t steps, per_step;  // per_step = planes · out_h · out_w
  SNN_HD void operator()(std::int64_t plane) const { with_step_kind(c, *this, plane); }
  template <bool Smooth, bool Hard>
  SNN_HD void run(std::int64_t plane) const {
    const int n = height * width;
    const T* xp = x + plane * n;
    T v[kMaxFoldedPlane > 0 ? kMaxFoldedPlane : 1], s[kMaxFoldedPlane > 0 ? kMaxFoldedPlane : 1];
    for (int j = 0; j < n; ++j) v[j] = c.v_rest;
    for (std::int64_t t = 0; t < steps; ++t) {
      for (int j = 0; j < n; ++j) neuron_step<C, Smooth, Hard>(c, v[j], xp[j], s[j]);
      const std::int64_t o = t * per_step + plane * out_h * out_w;
      max_pool_tiles(s, width, kernel, out_h, out_w, y + o, argmax + o);
    }
  }
};

}  // namespace

template <class T>
bool SpikingNeuron<T>::can_fold(const MaxPool2d<T>& pool, int steps) {
  return pool.tiles() && steps >= 1 && steps <= kMaxRecomputeSteps;
}

template <class T>
void SpikingNeuron<T>::forward_repeated_pooled(const Tensor<T>& x, int steps, MaxPool2d<T>& pool,
                                               Tensor<T>& y) {
  require(x.ndim() == 5 && x.dim(0) == 1 && can_fold(pool, steps),
          "spiking neuron: a pooled repeated input must be one frame [1, B, C, H, W] for 1 to " +
              std::to_string(kMaxRecomputeSteps) + " steps and a pool whose windows tile it, got " +
              shape_string(x.shape()) + " for " + std::to_string(steps) + " steps and " +
              pool.describe());
  out_shape_ = x.shape();
  out_shape_[0] = steps;
  v_fresh_ = false;
  recompute_h_ = repeated_ = true;
  h_fresh_ = false;
  frame_.resize(x.shape());
  thrust::copy(exec(), x.begin(), x.end(), frame_.begin());
  const std::int64_t n = x.size();
  const int height = static_cast<int>(x.dim(3)), width = static_cast<int>(x.dim(4));
  std::uint8_t* argmax = pool.prepare_steps(x.shape(), steps, y);
  if (std::int64_t(height) * width <= kMaxFoldedPlane) {  // each plane's steps in one call
    const std::int64_t planes = x.dim(1) * x.dim(2);
    const int k = pool.kernel(), out_h = pool.out_size(height), out_w = pool.out_size(width);
    with_charge(coeffs_.charge_kind(), [&](auto charge) {
      for_each_index(planes, FoldedPlaneNeuron<T, decltype(charge)::value>{
                                 coeffs_, frame_.data(), y.data(), argmax, height, width, k, out_h,
                                 out_w, steps, planes * out_h * out_w});
    });
    return;
  }
  // larger planes (and CUDA): step by step, over every neuron at each step
  v_step_.resize(x.shape(), coeffs_.v_rest);
  s_step_.resize(x.shape());
  with_charge(coeffs_.charge_kind(), [&](auto charge) {
    const StepNeuron<T, decltype(charge)::value> step{coeffs_, frame_.data(), v_step_.data(),
                                                      s_step_.data(), n};
    for (std::int64_t t = 0; t < steps; ++t) {
      thrust::for_each(exec(), thrust::counting_iterator<std::int64_t>(0),
                       thrust::counting_iterator<std::int64_t>(chunks(n)), step);
      pool.forward_step(s_step_, t, steps, y);
    }
  });
}

template <class T>
void SpikingNeuron<T>::backward_pooled(const Tensor<T>& x, const MaxPool2d<T>& pool,
                                       const Tensor<T>& grad_y, Tensor<T>& grad_x) {
  require(recompute_h_ && x.shape() == frame_.shape() && x.ndim() == 5,
          "spiking neuron backward_pooled: input " + shape_string(x.shape()) +
              " is not the frame of the last forward_repeated_pooled");
  const std::int64_t steps = out_shape_[0], planes = x.dim(1) * x.dim(2), n = x.size();
  const int height = static_cast<int>(x.dim(3)), width = static_cast<int>(x.dim(4));
  const int k = pool.kernel(), out_h = pool.out_size(height), out_w = pool.out_size(width);
  require(grad_y.shape() == (Shape{steps, x.dim(1), x.dim(2), out_h, out_w}),
          "spiking neuron backward_pooled: gradient " + shape_string(grad_y.shape()) +
              " does not match the pooled output of the last forward");
  require(grad_v_seq_ == nullptr || grad_v_seq_->size() == 0,
          "spiking neuron backward_pooled: a loss on the membrane potential is not supported");
  const PooledGrad<T> gs{grad_y.data(), pool.argmax(), height, width,
                         out_h,         out_w,         k,      planes * out_h * out_w};
  grad_x.resize(x.shape());
  with_surrogate(coeffs_.surrogate, [&](auto kind) {
    backward_recomputed<T, decltype(kind)::value>(coeffs_, frame_.data(), 0, gs, nullptr,
                                                  grad_x.data(), n, steps);
  });
}

#define SNN_POOLED_NEURON_INSTANCES(T)                                                          \
  template bool SpikingNeuron<T>::can_fold(const MaxPool2d<T>&, int);                           \
  template void SpikingNeuron<T>::forward_repeated_pooled(const Tensor<T>&, int, MaxPool2d<T>&, \
                                                          Tensor<T>&);                          \
  template void SpikingNeuron<T>::backward_pooled(const Tensor<T>&, const MaxPool2d<T>&,        \
                                                  const Tensor<T>&, Tensor<T>&);
SNN_POOLED_NEURON_INSTANCES(float)
SNN_POOLED_NEURON_INSTANCES(double)
#undef SNN_POOLED_NEURON_INSTANCES

}  // namespace snn::learning
