// Weight normalisation of a Linear or Conv2d, as torch.nn.utils.weight_norm (dim 0): the weight
// is re-parametrised per output unit o as w_o = g_o · v_o / ‖v_o‖ (the norm over all of v_o's
// other dimensions); g and v are trained instead of w (Salimans & Kingma 2016).
//   dL/dg_o = Σ dL/dw_o · v_o / ‖v_o‖,   dL/dv_o = (g_o/‖v_o‖) dL/dw_o − (g_o dL/dg_o/‖v_o‖²) v_o
// Initialised as PyTorch does: v = w, g = ‖w_o‖ (the layer computes the same function at first).
#pragma once

#include <memory>
#include <string>

#include "learning/core/layer.h"

namespace snn::learning {

template <class T, class Inner>
class WeightNorm : public Layer<T> {
 public:
  /// Wraps `inner` (a Linear or Conv2d). Parameters "<name>.weight_g" [out] (torch: [out, 1, …]
  /// with the same values), "<name>.weight_v" (the weight's shape) and the inner bias.
  WeightNorm(std::unique_ptr<Inner> inner, const std::string& name);

  void forward(const Tensor<T>& x, Tensor<T>& y) override;
  void backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& grad_y, Tensor<T>& grad_x,
                bool need_grad_x = true) override;
  void collect_parameters(ParameterList<T>& out) override;
  void set_training(bool training) override;
  std::string describe() const override;

  Parameter<T>& g() { return g_; }
  Parameter<T>& v() { return v_; }
  Inner& inner() { return *inner_; }

 private:
  std::unique_ptr<Inner> inner_;
  Parameter<T> g_, v_;
  Tensor<T> norm_;  // ‖v_o‖ of the last forward
};

}  // namespace snn::learning
