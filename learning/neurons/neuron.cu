// Multi-step IF/LIF forward and BPTT backward (the kernels are in neuron_kernels.h). V_t is not
// stored: it is reset(H_t, fire(H_t)), recomputed when v_seq() is asked for. Fed one frame at every
// step (direct encoding), or told not to store it (a residual block, which can give its neurons'
// inputs back in the backward), a neuron does not store H_t either: its backward recomputes each
// chunk's T steps into a stack array, from the input.
#include <thrust/copy.h>
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>

#include "learning/neurons/neuron.h"
#include "learning/neurons/neuron_kernels.h"
#include "sim/core/errors.h"

namespace snn::learning {

using namespace neuron_detail;

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
