// Multi-step dropout: one mask per sample, shared by all T steps (SpikingJelly layer.Dropout),
// so a dropped unit stays silent for the whole sample instead of flickering from step to step.
// Inverted scaling: kept values are multiplied by 1/(1−p); evaluation passes x through.
// Masks come from the counter-based stream (seed, draw, sample, unit): the same on every system.
#pragma once

#include <cstdint>
#include <string>

#include "learning/core/layer.h"

namespace snn::learning {

template <class T>
class Dropout : public Layer<T> {
 public:
  /// p in [0, 1): the probability of dropping a unit.
  explicit Dropout(double p = 0.5, std::uint64_t seed = 0);

  /// x [T, B, ...]. In training a new mask [B, ...] is drawn (draw index = draw(), then advanced).
  void forward(const Tensor<T>& x, Tensor<T>& y) override;
  void backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& grad_y, Tensor<T>& grad_x,
                bool need_grad_x = true) override;
  std::string describe() const override;

  /// The draw index the next training forward uses (advanced by one per training forward);
  /// setting it replays a mask (finite-difference tests, resumed runs).
  std::uint64_t draw() const { return draw_; }
  void set_draw(std::uint64_t draw) { draw_ = draw; }
  /// The mask of the last training forward, [B, ...], values 0 or 1/(1−p).
  const Tensor<T>& mask() const { return mask_; }

 private:
  double p_;
  std::uint64_t seed_;
  std::uint64_t draw_ = 0;
  bool last_training_ = true;
  Tensor<T> mask_;
};

}  // namespace snn::learning
