// The multi-step spiking neuron layer shared by IF and LIF: forward runs the T steps of each
// neuron in one thread and records H_t, backward unrolls them (BPTT).
// Input X [T, B, ...], output spikes S [T, B, ...] (same shape).
#pragma once

#include <string>

#include "learning/core/layer.h"
#include "learning/neurons/neuron_dynamics.h"
#include "learning/surrogate/surrogate.h"

namespace snn::learning {

template <class T>
class MaxPool2d;

template <class T>
class SpikingNeuron : public Layer<T> {
 public:
  void forward(const Tensor<T>& x, Tensor<T>& y) override;
  void backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& grad_y, Tensor<T>& grad_x,
                bool need_grad_x = true) override;
  /// The same input frame x [1, B, ...] at each of `steps` steps (direct encoding computed once):
  /// y [steps, B, ...]. backward then writes dL/dx [1, B, ...], the sum over the steps.
  void forward_repeated(const Tensor<T>& x, int steps, Tensor<T>& y);
  /// forward_repeated followed by `pool`: y = pool(S) [steps, B, C, Ho, Wo], each plane's steps
  /// in one call with the plane's state on the stack (CPU, planes up to 4,096 neurons) or step by
  /// step, so the spikes of every step at full resolution are never stored. Then
  /// backward_pooled takes dL/dy, as pool.backward and backward would together, without dL/dS
  /// at full resolution either. Needs can_fold(pool, steps).
  void forward_repeated_pooled(const Tensor<T>& x, int steps, MaxPool2d<T>& pool, Tensor<T>& y);
  void backward_pooled(const Tensor<T>& x, const MaxPool2d<T>& pool, const Tensor<T>& grad_y,
                       Tensor<T>& grad_x);
  /// Whether forward_repeated_pooled takes this pool (its windows tile the plane) for `steps`.
  static bool can_fold(const MaxPool2d<T>& pool, int steps);
  /// The backward reads H_t, which the layer keeps, and recomputes S_t = fire(H_t); without a
  /// stored history it reads the input instead.
  bool backward_reads_input() const override { return !store_history_; }
  /// false: the forward does not store H_t; backward() then needs the forward's input x again
  /// (its values: a residual block recomputes them from the BatchNorm input it keeps) and
  /// recomputes H_t from it, exactly. grad_x may then be x itself. At most 64 steps (more are
  /// stored anyway). h_seq() and v_seq() are then unavailable. Default true.
  void set_store_history(bool store) { store_history_ = store; }
  bool backward_reads_output() const override { return false; }

  /// V_t after reset for every step of the last forward, [T, B, ...]. Not stored by the forward
  /// (it is reset(H_t, fire(H_t))): the first call after a forward computes it, later calls reuse
  /// it.
  const Tensor<T>& v_seq() const;
  /// H_t (before reset) for every step of the last forward, [T, B, ...]. After a
  /// forward_repeated the forward does not store it (the backward recomputes it from the one
  /// frame): the first call computes it.
  const Tensor<T>& h_seq() const;

  /// dL/dV_t to add in the next backward (a loss on the membrane potential), [T, B, ...];
  /// an empty tensor (the default) means none. Cleared by nothing: set it before each backward.
  void set_grad_v_seq(const Tensor<T>* grad_v) { grad_v_seq_ = grad_v; }

  /// Tests only: the forward uses the smooth surrogate primitive instead of Θ, so that BPTT
  /// can be checked against finite differences of a differentiable model.
  void set_smooth_forward(bool on) { coeffs_.smooth_forward = on; }

  /// [T, B, ...] of the last forward's output (empty before the first).
  const Shape& output_shape() const { return out_shape_; }

  /// The dynamics' constants (the fused path reads them).
  const NeuronCoeffs<T>& coeffs() const { return coeffs_; }

 protected:
  NeuronCoeffs<T> coeffs_;
  mutable Tensor<T> h_seq_;       // stored by forward(); filled by h_seq() after a repeated one
  mutable bool h_fresh_ = false;  // h_seq_ holds the last forward's H
  mutable Tensor<T> v_seq_;       // filled by v_seq() on demand
  mutable bool v_fresh_ = false;  // v_seq_ holds the last forward's V
  // H_t is recomputed in the backward, not stored: from the one frame of a repeated input, kept
  // here (one frame, not T), or from the input the caller passes back (set_store_history).
  bool recompute_h_ = false;
  bool repeated_ = false;  // the last forward took one frame at every step
  bool store_history_ = true;
  Tensor<T> frame_;
  Tensor<T> v_step_, s_step_;  // forward_repeated_pooled: V and S of one step
  Shape out_shape_;            // [T, B, ...] of the last forward
  const Tensor<T>* grad_v_seq_ = nullptr;

 private:
  void run(const Tensor<T>& x, std::int64_t steps, Tensor<T>& y);
};

}  // namespace snn::learning
