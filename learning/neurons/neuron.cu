// Multi-step IF/LIF forward (records H_t) and BPTT backward. On the CPU systems one index runs a
// chunk of kLanes neighbouring neurons through their T steps with the state in a small array, so
// the inner loop over neurons is a branch-free vector loop; on CUDA a chunk is one neuron (one
// thread). The charge, reset and surrogate are template parameters picked once per call.
// V_t is not stored: it is reset(H_t, fire(H_t)), recomputed when v_seq() is asked for. Fed one
// frame at every step (direct encoding), a neuron does not store H_t either: its backward
// recomputes each chunk's T steps into a stack array, which costs one frame of memory, not T.
#include <thrust/copy.h>
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>

#include <type_traits>

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
  SNN_HD void operator()(std::int64_t chunk) const {
    const std::int64_t i0 = chunk * kLanes;
    const std::int64_t m = n - i0 < kLanes ? n - i0 : kLanes;
    T v[kLanes];
    for (std::int64_t j = 0; j < m; ++j) v[j] = c.v_rest;
    for (std::int64_t t = 0; t < steps; ++t) {
      const std::int64_t k = t * n + i0;
      const T* xt = x + t * x_step + i0;
      T* ht = h ? h + k : nullptr;
      T* st = s ? s + k : nullptr;
      for (std::int64_t j = 0; j < m; ++j) {
        const T hj = c.template charge_as<K>(v[j], xt[j]);
        const T sj = Smooth ? c.fire(hj) : heaviside(hj - c.v_threshold);
        // the formulas of NeuronCoeffs::reset, with the reset kind fixed
        v[j] = Hard ? hj * (T(1) - sj) + c.v_reset * sj : hj - c.v_threshold * sj;
        if (h) ht[j] = hj;  // null: a repeated frame's H is recomputed, not stored
        if (s) st[j] = sj;  // null: h_seq() recomputing H
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

/// BPTT of a neuron fed one frame x at every step (grad_x [1, ...] is the sum over the steps),
/// with H_t recomputed from x by the forward's own formulas (bit for bit the forward's H).
template <class T, SurrogateKind K, bool HasGradV>
struct BackwardRepeatedNeuron {
  NeuronCoeffs<T> c;
  const T* x;
  const T* grad_s;
  const T* grad_v;  // null unless HasGradV
  T* grad_x;
  std::int64_t n, steps;  // steps <= kMaxRecomputeSteps
  SNN_HD void operator()(std::int64_t chunk) const {
    const std::int64_t i0 = chunk * kLanes;
    const std::int64_t m = n - i0 < kLanes ? n - i0 : kLanes;
    T h[kMaxRecomputeSteps * kLanes], v[kLanes], gh[kLanes];
    for (std::int64_t j = 0; j < m; ++j) v[j] = c.v_rest;
    for (std::int64_t t = 0; t < steps; ++t)
      for (std::int64_t j = 0; j < m; ++j) {
        const T hj = c.charge(v[j], x[i0 + j]);
        v[j] = c.reset(hj, c.fire(hj));
        h[t * kLanes + j] = hj;
      }
    for (std::int64_t j = 0; j < m; ++j) gh[j] = T(0), grad_x[i0 + j] = T(0);
    for (std::int64_t t = steps - 1; t >= 0; --t) {
      const std::int64_t k = t * n + i0;
      for (std::int64_t j = 0; j < m; ++j) {
        const T hj = h[t * kLanes + j];
        gh[j] = c.template backward_h_as<K>(hj, c.fire(hj), grad_s[k + j],
                                            HasGradV ? grad_v[k + j] : T(0), gh[j]);
        grad_x[i0 + j] += gh[j] * c.k_x;
      }
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

template <class T, SurrogateKind K>
void backward_repeated_surrogate(const NeuronCoeffs<T>& c, const T* x, const T* gs, const T* gv,
                                 T* gx, std::int64_t n, std::int64_t steps) {
  auto first = thrust::counting_iterator<std::int64_t>(0);
  auto last = thrust::counting_iterator<std::int64_t>(chunks(n));
  if (gv)
    thrust::for_each(exec(), first, last,
                     BackwardRepeatedNeuron<T, K, true>{c, x, gs, gv, gx, n, steps});
  else
    thrust::for_each(exec(), first, last,
                     BackwardRepeatedNeuron<T, K, false>{c, x, gs, nullptr, gx, n, steps});
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
  recompute_h_ = x_step == 0 && steps <= kMaxRecomputeSteps;
  h_fresh_ = !recompute_h_;
  T* h = nullptr;
  if (recompute_h_) {
    frame_.resize(x.shape());
    thrust::copy(exec(), x.begin(), x.end(), frame_.begin());
  } else {
    h_seq_.resize(out_shape_);
    h = h_seq_.data();
  }
  forward_any(coeffs_, x.data(), y.data(), h, n, steps, x_step);
}

template <class T>
const Tensor<T>& SpikingNeuron<T>::h_seq() const {
  if (!h_fresh_) {
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
  require(!recompute_h_ || x.shape() == frame_.shape(),
          "spiking neuron backward: input " + shape_string(x.shape()) +
              " is not the frame of the last forward " + shape_string(frame_.shape()));
  grad_x.resize(x.shape());
  const std::int64_t steps = y.dim(0), n = y.size() / steps;
  const T* gs = grad_y.data();
  T* gx = grad_x.data();
  with_surrogate(coeffs_.surrogate, [&](auto kind) {
    constexpr SurrogateKind K = decltype(kind)::value;
    if (recompute_h_)  // the frame the forward kept, not x (a stand-in without values)
      backward_repeated_surrogate<T, K>(coeffs_, frame_.data(), gs, gv, gx, n, steps);
    else
      backward_surrogate<T, K>(coeffs_, h_seq_.data(), gs, gv, gx, n, steps, sum_steps);
  });
}

template class SpikingNeuron<float>;
template class SpikingNeuron<double>;

}  // namespace snn::learning
