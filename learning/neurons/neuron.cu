// Multi-step IF/LIF forward (records H_t and V_t) and BPTT backward: one thread per neuron runs
// its T steps in order (the state stays in a register).
#include "learning/neurons/neuron.h"

#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>

#include "sim/core/errors.h"

namespace snn::learning {
namespace {

template <class T>
struct ForwardNeuron {
  NeuronCoeffs<T> c;
  const T* x;
  T* s;
  T* h;
  T* v;
  std::int64_t n, steps;
  SNN_HD void operator()(std::int64_t i) const {
    T vt = c.v_rest;
    for (std::int64_t t = 0; t < steps; ++t) {
      const std::int64_t k = t * n + i;
      const T ht = c.charge(vt, x[k]);
      const T st = c.fire(ht);
      vt = c.reset(ht, st);
      h[k] = ht;
      s[k] = st;
      v[k] = vt;
    }
  }
};

template <class T>
struct BackwardNeuron {
  NeuronCoeffs<T> c;
  const T* h;
  const T* s;
  const T* grad_s;
  const T* grad_v;  // may be null
  T* grad_x;
  std::int64_t n, steps;
  SNN_HD void operator()(std::int64_t i) const {
    T gh = T(0);
    for (std::int64_t t = steps - 1; t >= 0; --t) {
      const std::int64_t k = t * n + i;
      gh = c.backward_h(h[k], s[k], grad_s[k], grad_v ? grad_v[k] : T(0), gh);
      grad_x[k] = gh * c.k_x;
    }
  }
};

}  // namespace

template <class T>
void SpikingNeuron<T>::forward(const Tensor<T>& x, Tensor<T>& y) {
  require(x.ndim() >= 2, "spiking neuron: input must be [T, B, ...], got " + shape_string(x.shape()));
  y.resize(x.shape());
  h_seq_.resize(x.shape());
  v_seq_.resize(x.shape());
  const std::int64_t steps = x.dim(0), n = x.size() / steps;
  thrust::for_each(exec(), thrust::counting_iterator<std::int64_t>(0),
                   thrust::counting_iterator<std::int64_t>(n),
                   ForwardNeuron<T>{coeffs_, x.data(), y.data(), h_seq_.data(), v_seq_.data(), n, steps});
}

template <class T>
void SpikingNeuron<T>::backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& grad_y,
                                Tensor<T>& grad_x, bool need_grad_x) {
  require(grad_y.shape() == y.shape() && h_seq_.shape() == y.shape(),
          "spiking neuron backward: gradient " + shape_string(grad_y.shape()) +
              " does not match the last forward " + shape_string(h_seq_.shape()));
  const T* gv = nullptr;
  if (grad_v_seq_ != nullptr && grad_v_seq_->size() > 0) {
    require(grad_v_seq_->shape() == y.shape(), "spiking neuron backward: dL/dV has shape " +
                                                   shape_string(grad_v_seq_->shape()));
    gv = grad_v_seq_->data();
  }
  grad_x.resize(x.shape());
  const std::int64_t steps = y.dim(0), n = y.size() / steps;
  thrust::for_each(exec(), thrust::counting_iterator<std::int64_t>(0),
                   thrust::counting_iterator<std::int64_t>(n),
                   BackwardNeuron<T>{coeffs_, h_seq_.data(), y.data(), grad_y.data(), gv,
                                     grad_x.data(), n, steps});
}

template class SpikingNeuron<float>;
template class SpikingNeuron<double>;

}  // namespace snn::learning
