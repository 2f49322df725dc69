// Multi-step IF/LIF forward (records H_t) and BPTT backward. On the CPU systems one index runs a
// chunk of kLanes neighbouring neurons through their T steps with the state in a small array, so
// the inner loop over neurons is a branch-free vector loop; on CUDA a chunk is one neuron (one
// thread). The charge, reset and surrogate are template parameters picked once per call.
// V_t is not stored: it is reset(H_t, fire(H_t)), recomputed when v_seq() is asked for. Fed one
// frame at every step (direct encoding), or told not to store it (a residual block, which can
// give its neurons' inputs back in the backward), a neuron does not store H_t either: its
// backward recomputes each chunk's T steps into a stack array, from the input.
#include <thrust/copy.h>
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>

#include <type_traits>

#include "learning/layers/index_loop.h"
#include "learning/layers/max_pool_tiles.h"
#include "learning/layers/pooling.h"
#include "learning/neurons/neuron.h"
#include "sim/core/errors.h"

namespace snn::learning {
namespace {

/// Neurons per index: a vector loop's worth on the CPU, one thread's one neuron on CUDA.
constexpr std::int64_t kLanes = device_is_cuda() ? 1 : 64;
/// Steps up to which a neuron fed one repeated frame recomputes H_t in its backward (the chunk's
/// history, kLanes × kMaxRecomputeSteps values, lives on the stack: 32 KB in double).
constexpr std::int64_t kMaxRecomputeSteps = 64;

template <class T, ChargeKind K, bool Hard, bool Smooth>
struct ForwardNeuron {
  NeuronCoeffs<T> c;
  const T* x;
  T* s;
  T* h;
  std::int64_t n, steps;
  std::int64_t x_step;  // n, or 0 when one input frame is fed at every step
  // h null: H is recomputed in the backward, not stored; s null: h_seq() recomputing H. The
  // choice is made once per chunk, so that the lane loop has no test in it and vectorises.
  SNN_HD void operator()(std::int64_t chunk) const {
    if (h && s)
      run<true, true>(chunk);
    else if (s)
      run<false, true>(chunk);
    else
      run<true, false>(chunk);
  }
  template <bool StoreH, bool StoreS>
  SNN_HD void run(std::int64_t chunk) const {
    const std::int64_t i0 = chunk * kLanes;
    const std::int64_t m = n - i0 < kLanes ? n - i0 : kLanes;
    T v[kLanes];
    for (std::int64_t j = 0; j < m; ++j) v[j] = c.v_rest;
    for (std::int64_t t = 0; t < steps; ++t) {
      const std::int64_t k = t * n + i0;
      const T* xt = x + t * x_step + i0;
      for (std::int64_t j = 0; j < m; ++j) {
        const T hj = c.template charge_as<K>(v[j], xt[j]);
        const T sj = Smooth ? c.fire(hj) : heaviside(hj - c.v_threshold);
        // the formulas of NeuronCoeffs::reset, with the reset kind fixed
        v[j] = Hard ? hj * (T(1) - sj) + c.v_reset * sj : hj - c.v_threshold * sj;
        if (StoreH) h[k + j] = hj;
        if (StoreS) s[k + j] = sj;
      }
    }
  }
};

template <class T, SurrogateKind K, bool HasGradV>
struct BackwardNeuron {
  NeuronCoeffs<T> c;
  const T* h;  // S_t is fire(H_t) again: the forward's spikes are not read back
  const T* grad_s;
  const T* grad_v;  // null unless HasGradV
  T* grad_x;
  std::int64_t n, steps;
  bool sum_steps;  // the input was one frame fed at every step: grad_x [1, ...] is the sum
  SNN_HD void operator()(std::int64_t chunk) const {
    const std::int64_t i0 = chunk * kLanes;
    const std::int64_t m = n - i0 < kLanes ? n - i0 : kLanes;
    T gh[kLanes];
    for (std::int64_t j = 0; j < m; ++j) gh[j] = T(0);
    if (sum_steps)
      for (std::int64_t j = 0; j < m; ++j) grad_x[i0 + j] = T(0);
    for (std::int64_t t = steps - 1; t >= 0; --t) {
      const std::int64_t k = t * n + i0;
      T* gx = grad_x + (sum_steps ? i0 : k);
      for (std::int64_t j = 0; j < m; ++j) {
        gh[j] = c.template backward_h_as<K>(h[k + j], c.fire(h[k + j]), grad_s[k + j],
                                            HasGradV ? grad_v[k + j] : T(0), gh[j]);
        if (sum_steps)
          gx[j] += gh[j] * c.k_x;
        else
          gx[j] = gh[j] * c.k_x;
      }
    }
  }
};

/// dL/dS_t of neuron i, read from a [T, n] tensor.
template <class T>
struct DenseGrad {
  const T* g;
  std::int64_t n;
  struct Lane {
    std::int64_t i;
  };
  /// The lanes of neurons i0 .. i0 + m - 1.
  SNN_HD void lanes(std::int64_t i0, std::int64_t m, Lane* out) const {
    for (std::int64_t j = 0; j < m; ++j) out[j].i = i0 + j;
  }
  SNN_HD T at(const Lane& l, std::int64_t t) const { return g[t * n + l.i]; }
};

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

/// BPTT with H_t recomputed from the input x by the forward's own formulas (bit for bit the
/// forward's H), into a stack array per chunk: every input of a chunk is read before its first
/// gradient is written, so grad_x may overwrite x. Grad: where dL/dS_t comes from (DenseGrad,
/// PooledGrad).
template <class T, SurrogateKind K, ChargeKind C, class Grad>
struct BackwardRecomputedNeuron {
  NeuronCoeffs<T> c;
  const T* x;  // [T, n], or one frame [1, n] fed at every step (x_step 0)
  Grad grad_s;
  const T* grad_v;        // or null
  T* grad_x;              // [T, n], or [1, n] (x_step 0): the sum over the steps. May be x itself.
  std::int64_t n, steps;  // steps <= kMaxRecomputeSteps
  std::int64_t x_step;    // n, or 0
  SNN_HD void operator()(std::int64_t chunk) const {
    // the reset and the forward's Θ/smooth choice fixed per call, so the lane loops vectorise
    if (c.smooth_forward)
      c.hard_reset ? run<true, true>(chunk) : run<true, false>(chunk);
    else
      c.hard_reset ? run<false, true>(chunk) : run<false, false>(chunk);
  }
  template <bool Smooth, bool Hard>
  SNN_HD void run(std::int64_t chunk) const {
    const std::int64_t i0 = chunk * kLanes;
    const std::int64_t m = n - i0 < kLanes ? n - i0 : kLanes;
    T h[kMaxRecomputeSteps * kLanes], v[kLanes], gh[kLanes], gs[kLanes];
    typename Grad::Lane lanes[kLanes];
    grad_s.lanes(i0, m, lanes);
    for (std::int64_t j = 0; j < m; ++j) v[j] = c.v_rest;
    for (std::int64_t t = 0; t < steps; ++t)
      for (std::int64_t j = 0; j < m; ++j) {
        const T hj = c.template charge_as<C>(v[j], x[t * x_step + i0 + j]);
        const T sj = Smooth ? c.fire(hj) : heaviside(hj - c.v_threshold);
        v[j] = Hard ? hj * (T(1) - sj) + c.v_reset * sj : hj - c.v_threshold * sj;
        h[t * kLanes + j] = hj;
      }
    for (std::int64_t j = 0; j < m; ++j) gh[j] = T(0);
    if (x_step == 0)
      for (std::int64_t j = 0; j < m; ++j) grad_x[i0 + j] = T(0);
    for (std::int64_t t = steps - 1; t >= 0; --t) {
      const std::int64_t k = t * n + i0;
      for (std::int64_t j = 0; j < m; ++j) gs[j] = grad_s.at(lanes[j], t);  // gathered apart
      const T* ht = h + t * kLanes;
      if (grad_v)
        for (std::int64_t j = 0; j < m; ++j)
          gh[j] =
              c.template backward_h_as<K>(ht[j], fire<Smooth>(ht[j]), gs[j], grad_v[k + j], gh[j]);
      else
        for (std::int64_t j = 0; j < m; ++j)
          gh[j] = c.template backward_h_as<K>(ht[j], fire<Smooth>(ht[j]), gs[j], T(0), gh[j]);
      if (x_step == 0)
        for (std::int64_t j = 0; j < m; ++j) grad_x[i0 + j] += gh[j] * c.k_x;
      else
        for (std::int64_t j = 0; j < m; ++j) grad_x[k + j] = gh[j] * c.k_x;
    }
  }
  template <bool Smooth>
  SNN_HD T fire(T h) const {
    return Smooth ? c.fire(h) : heaviside(h - c.v_threshold);
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
  SNN_HD void operator()(std::int64_t chunk) const {
    if (c.smooth_forward)
      c.hard_reset ? run<true, true>(chunk) : run<true, false>(chunk);
    else
      c.hard_reset ? run<false, true>(chunk) : run<false, false>(chunk);
  }
  template <bool Smooth, bool Hard>
  SNN_HD void run(std::int64_t chunk) const {
    const std::int64_t i0 = chunk * kLanes;
    const std::int64_t m = n - i0 < kLanes ? n - i0 : kLanes;
    for (std::int64_t j = i0; j < i0 + m; ++j) {
      const T hj = c.template charge_as<C>(v[j], x[j]);
      const T sj = Smooth ? c.fire(hj) : heaviside(hj - c.v_threshold);
      v[j] = Hard ? hj * (T(1) - sj) + c.v_reset * sj : hj - c.v_threshold * sj;
      s[j] = sj;
    }
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
  SNN_HD void operator()(std::int64_t plane) const {
    if (c.smooth_forward)
      c.hard_reset ? run<true, true>(plane) : run<true, false>(plane);
    else
      c.hard_reset ? run<false, true>(plane) : run<false, false>(plane);
  }
  template <bool Smooth, bool Hard>
  SNN_HD void run(std::int64_t plane) const {
    const int n = height * width;
    const T* xp = x + plane * n;
    T v[kMaxFoldedPlane > 0 ? kMaxFoldedPlane : 1], s[kMaxFoldedPlane > 0 ? kMaxFoldedPlane : 1];
    for (int j = 0; j < n; ++j) v[j] = c.v_rest;
    for (std::int64_t t = 0; t < steps; ++t) {
      for (int j = 0; j < n; ++j) {  // the StepNeuron formulas
        const T hj = c.template charge_as<C>(v[j], xp[j]);
        const T sj = Smooth ? c.fire(hj) : heaviside(hj - c.v_threshold);
        v[j] = Hard ? hj * (T(1) - sj) + c.v_reset * sj : hj - c.v_threshold * sj;
        s[j] = sj;
      }
      const std::int64_t o = t * per_step + plane * out_h * out_w;
      max_pool_tiles(s, width, kernel, out_h, out_w, y + o, argmax + o);
    }
  }
};

/// V_t = reset(H_t, fire(H_t)), elementwise: exactly the forward's V.
template <class T>
struct PotentialFromCharge {
  NeuronCoeffs<T> c;
  const T* h;
  T* v;
  SNN_HD void operator()(std::int64_t i) const { v[i] = c.reset(h[i], c.fire(h[i])); }
};

std::int64_t chunks(std::int64_t n) {
  return (n + kLanes - 1) / kLanes;
}

template <class T, ChargeKind K, bool Hard, bool Smooth>
void run_forward(const NeuronCoeffs<T>& c, const T* x, T* s, T* h, std::int64_t n,
                 std::int64_t steps, std::int64_t x_step) {
  thrust::for_each(exec(), thrust::counting_iterator<std::int64_t>(0),
                   thrust::counting_iterator<std::int64_t>(chunks(n)),
                   ForwardNeuron<T, K, Hard, Smooth>{c, x, s, h, n, steps, x_step});
}

template <class T, ChargeKind K>
void forward_charge(const NeuronCoeffs<T>& c, const T* x, T* s, T* h, std::int64_t n,
                    std::int64_t steps, std::int64_t x_step) {
  if (c.smooth_forward)
    c.hard_reset ? run_forward<T, K, true, true>(c, x, s, h, n, steps, x_step)
                 : run_forward<T, K, false, true>(c, x, s, h, n, steps, x_step);
  else
    c.hard_reset ? run_forward<T, K, true, false>(c, x, s, h, n, steps, x_step)
                 : run_forward<T, K, false, false>(c, x, s, h, n, steps, x_step);
}

template <class T, SurrogateKind K>
void backward_surrogate(const NeuronCoeffs<T>& c, const T* h, const T* gs, const T* gv, T* gx,
                        std::int64_t n, std::int64_t steps, bool sum_steps) {
  auto first = thrust::counting_iterator<std::int64_t>(0);
  auto last = thrust::counting_iterator<std::int64_t>(chunks(n));
  if (gv)
    thrust::for_each(exec(), first, last,
                     BackwardNeuron<T, K, true>{c, h, gs, gv, gx, n, steps, sum_steps});
  else
    thrust::for_each(exec(), first, last,
                     BackwardNeuron<T, K, false>{c, h, gs, nullptr, gx, n, steps, sum_steps});
}

/// Calls f(std::integral_constant<ChargeKind, kind>): the charge as a template argument.
template <class F>
void with_charge(ChargeKind kind, F&& f) {
  switch (kind) {
    case ChargeKind::If:
      return f(std::integral_constant<ChargeKind, ChargeKind::If>{});
    case ChargeKind::LifDecayInput:
      return f(std::integral_constant<ChargeKind, ChargeKind::LifDecayInput>{});
    default:
      return f(std::integral_constant<ChargeKind, ChargeKind::Lif>{});
  }
}

template <class T, SurrogateKind K, class Grad>
void backward_recomputed(const NeuronCoeffs<T>& c, const T* x, std::int64_t x_step, const Grad& gs,
                         const T* gv, T* gx, std::int64_t n, std::int64_t steps) {
  with_charge(c.charge_kind(), [&](auto charge) {
    thrust::for_each(exec(), thrust::counting_iterator<std::int64_t>(0),
                     thrust::counting_iterator<std::int64_t>(chunks(n)),
                     BackwardRecomputedNeuron<T, K, decltype(charge)::value, Grad>{
                         c, x, gs, gv, gx, n, steps, x_step});
  });
}

/// Calls f(std::integral_constant<SurrogateKind, kind>): the surrogate as a template argument.
template <class F>
void with_surrogate(SurrogateKind kind, F&& f) {
  switch (kind) {
    case SurrogateKind::ATan:
      return f(std::integral_constant<SurrogateKind, SurrogateKind::ATan>{});
    case SurrogateKind::Sigmoid:
      return f(std::integral_constant<SurrogateKind, SurrogateKind::Sigmoid>{});
    case SurrogateKind::PiecewiseQuadratic:
      return f(std::integral_constant<SurrogateKind, SurrogateKind::PiecewiseQuadratic>{});
    default:
      return f(std::integral_constant<SurrogateKind, SurrogateKind::SoftSign>{});
  }
}

template <class T>
void forward_any(const NeuronCoeffs<T>& c, const T* x, T* s, T* h, std::int64_t n,
                 std::int64_t steps, std::int64_t x_step) {
  switch (c.charge_kind()) {
    case ChargeKind::If:
      forward_charge<T, ChargeKind::If>(c, x, s, h, n, steps, x_step);
      break;
    case ChargeKind::LifDecayInput:
      forward_charge<T, ChargeKind::LifDecayInput>(c, x, s, h, n, steps, x_step);
      break;
    default:
      forward_charge<T, ChargeKind::Lif>(c, x, s, h, n, steps, x_step);
  }
}

}  // namespace

template <class T>
void SpikingNeuron<T>::forward(const Tensor<T>& x, Tensor<T>& y) {
  require(x.ndim() >= 2,
          "spiking neuron: input must be [T, B, ...], got " + shape_string(x.shape()));
  run(x, x.dim(0), y);
}

template <class T>
void SpikingNeuron<T>::forward_repeated(const Tensor<T>& x, int steps, Tensor<T>& y) {
  require(x.ndim() >= 2 && x.dim(0) == 1 && steps >= 1,
          "spiking neuron: a repeated input must be one frame [1, B, ...] for steps >= 1, got " +
              shape_string(x.shape()) + " for " + std::to_string(steps) + " steps");
  run(x, steps, y);
}

template <class T>
void SpikingNeuron<T>::run(const Tensor<T>& x, std::int64_t steps, Tensor<T>& y) {
  out_shape_ = x.shape();
  out_shape_[0] = steps;
  y.resize(out_shape_);
  v_fresh_ = false;
  const std::int64_t n = x.size() / x.dim(0);
  const std::int64_t x_step = x.dim(0) == steps ? n : 0;
  recompute_h_ = (x_step == 0 || !store_history_) && steps <= kMaxRecomputeSteps;
  repeated_ = x_step == 0;
  h_fresh_ = !recompute_h_;
  T* h = nullptr;
  if (recompute_h_ && repeated_) {  // one frame: kept here (a caller need not keep it)
    frame_.resize(x.shape());
    thrust::copy(exec(), x.begin(), x.end(), frame_.begin());
  } else if (!recompute_h_) {
    h_seq_.resize(out_shape_);
    h = h_seq_.data();
  }
  forward_any(coeffs_, x.data(), y.data(), h, n, steps, x_step);
}

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
  if (std::int64_t(height) * width <= kMaxFoldedPlane) {  // each plane's steps in one call
    std::uint8_t* argmax = pool.prepare_steps(x.shape(), steps, y);
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

template <class T>
const Tensor<T>& SpikingNeuron<T>::h_seq() const {
  if (!h_fresh_) {
    require(repeated_,
            "spiking neuron: H_t of the last forward is not kept (set_store_history(false): the "
            "backward recomputes it from the layer's input)");
    h_seq_.resize(out_shape_);
    const std::int64_t steps = out_shape_[0], n = frame_.size();
    forward_any(coeffs_, frame_.data(), static_cast<T*>(nullptr), h_seq_.data(), n, steps,
                std::int64_t(0));
    h_fresh_ = true;
  }
  return h_seq_;
}

template <class T>
const Tensor<T>& SpikingNeuron<T>::v_seq() const {
  if (!v_fresh_) {
    const Tensor<T>& h = h_seq();
    v_seq_.resize(h.shape());
    thrust::for_each(exec(), thrust::counting_iterator<std::int64_t>(0),
                     thrust::counting_iterator<std::int64_t>(h.size()),
                     PotentialFromCharge<T>{coeffs_, h.data(), v_seq_.data()});
    v_fresh_ = true;
  }
  return v_seq_;
}

template <class T>
void SpikingNeuron<T>::backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& grad_y,
                                Tensor<T>& grad_x, bool need_grad_x) {
  require(grad_y.shape() == y.shape() && out_shape_ == y.shape(),
          "spiking neuron backward: gradient " + shape_string(grad_y.shape()) +
              " does not match the last forward " + shape_string(out_shape_));
  const T* gv = nullptr;
  if (grad_v_seq_ != nullptr && grad_v_seq_->size() > 0) {
    require(grad_v_seq_->shape() == y.shape(),
            "spiking neuron backward: dL/dV has shape " + shape_string(grad_v_seq_->shape()));
    gv = grad_v_seq_->data();
  }
  // x is [T, B, ...], or one frame [1, B, ...] fed at every step (forward_repeated): then
  // dL/dx is the sum over the steps
  const bool sum_steps = x.dim(0) != y.dim(0);
  require(!sum_steps || x.dim(0) == 1, "spiking neuron backward: input " + shape_string(x.shape()) +
                                           " for output " + shape_string(y.shape()));
  require(!recompute_h_ || !repeated_ || x.shape() == frame_.shape(),
          "spiking neuron backward: input " + shape_string(x.shape()) +
              " is not the frame of the last forward " + shape_string(frame_.shape()));
  require(!recompute_h_ || repeated_ || x.data() != nullptr,
          "spiking neuron backward: without a stored history it needs the input's values");
  grad_x.resize(x.shape());
  const std::int64_t steps = y.dim(0), n = y.size() / steps;
  const T* gs = grad_y.data();
  T* gx = grad_x.data();
  with_surrogate(coeffs_.surrogate, [&](auto kind) {
    constexpr SurrogateKind K = decltype(kind)::value;
    if (recompute_h_ && repeated_)  // the frame the forward kept (x may be a stand-in)
      backward_recomputed<T, K>(coeffs_, frame_.data(), 0, DenseGrad<T>{gs, n}, gv, gx, n, steps);
    else if (recompute_h_)
      backward_recomputed<T, K>(coeffs_, x.data(), n, DenseGrad<T>{gs, n}, gv, gx, n, steps);
    else
      backward_surrogate<T, K>(coeffs_, h_seq_.data(), gs, gv, gx, n, steps, sum_steps);
  });
}

template class SpikingNeuron<float>;
template class SpikingNeuron<double>;

}  // namespace snn::learning
