// A spiking classifier: an input encoder (Poisson or Direct) and a body of multi-step layers.
// When the encoder is Poisson and the body starts with [Flatten →] Linear → LIF/IF, that stage
// runs through the fused PoissonLinearNeuron path (same results, much faster); set_fused(false)
// runs the generic layers instead. Direct encoding feeds the image once to the body's frame-wise
// prefix and at every step to its first neuron (set_direct_once(false): T copies through it all).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "learning/core/parameter.h"
#include "learning/core/tensor.h"
#include "learning/encoding/encoders.h"
#include "learning/model/sequential.h"

namespace snn::learning {

template <class T>
class PoissonLinearNeuron;
template <class T>
class SpikingNeuron;

template <class T>
class Classifier {
 public:
  Classifier(EncoderKind encoder, std::unique_ptr<Sequential<T>> body, std::uint64_t seed);
  ~Classifier();

  /// images [B, ...] in [0,1]; returns the network output [T, B, classes] (spikes or readout
  /// values). batch_key makes the Poisson draws unique per batch (e.g. epoch * 1e6 + batch
  /// index) and reproducible.
  const Tensor<T>& forward(const Tensor<T>& images, int steps, std::uint64_t batch_key);
  /// dL/d(output) [T,B,classes]; accumulates parameter gradients (BPTT).
  void backward(const Tensor<T>& grad_output);

  ParameterList<T> parameters();
  BufferList<T> buffers();
  void set_training(bool training);
  bool training() const { return training_; }
  void zero_grad();

  /// The last layer's membrane potential over the last forward [T,B,classes], if it is LIF/IF
  /// (else throws InvalidParameter).
  const Tensor<T>& output_v_seq() const;
  std::string describe() const;

  /// Whether the fused Poisson→Linear→neuron path is available and enabled.
  bool fused() const { return fused_ != nullptr && use_fused_; }
  /// Enables (default) or disables the fused path (tests compare both).
  void set_fused(bool on) { use_fused_ = on; }

  /// Whether direct-encoded input runs its frame-wise first layers (the stem's convolution and
  /// BatchNorm) once per batch instead of once per step (Sequential::forward_repeated): the
  /// same output and gradients up to float rounding, T times less work and memory there.
  bool direct_once() const {
    return encoder_ == EncoderKind::Direct && use_direct_once_ && body_->repeat_prefix() > 0;
  }
  /// Enables (default) or disables direct_once (tests compare both).
  void set_direct_once(bool on) { use_direct_once_ = on; }

  EncoderKind encoder() const { return encoder_; }
  Sequential<T>& body() { return *body_; }
  std::uint64_t seed() const { return seed_; }

 private:
  EncoderKind encoder_;
  std::unique_ptr<Sequential<T>> body_;
  std::uint64_t seed_;
  bool training_ = true;
  bool use_fused_ = true;
  bool use_direct_once_ = true;
  std::unique_ptr<PoissonLinearNeuron<T>> fused_;
  std::size_t fused_layers_ = 0;  // body layers the fused path replaces
  bool last_was_fused_ = false;
  Tensor<T> encoded_, output_, grad_in_, fused_out_;
};

}  // namespace snn::learning
