// A chain of multi-step layers. Keeps the intermediate activations that a backward reads between
// forward and backward (reused from batch to batch) and passes them back to each layer's
// backward; the others pass through a gradient buffer and come back as their shape alone.
#pragma once

#include <string>
#include <vector>

#include "learning/core/layer.h"

namespace snn::learning {

template <class T>
class Sequential : public Layer<T> {
 public:
  Sequential() = default;
  /// Appends a layer; returns a reference to it.
  Layer<T>& add(LayerPtr<T> layer);
  std::size_t size() const { return layers_.size(); }
  Layer<T>& layer(std::size_t i) { return *layers_.at(i); }
  const Layer<T>& layer(std::size_t i) const { return *layers_.at(i); }

  void forward(const Tensor<T>& x, Tensor<T>& y) override;
  void backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& grad_y, Tensor<T>& grad_x,
                bool need_grad_x = true) override;

  /// Direct encoding computed once: x is one frame [1, B, ...] that is the input at each of
  /// `steps` steps. The leading frame-wise layers run on that frame alone, the first spiking
  /// neuron takes it at every step, the layers after it run as in forward(): the same output,
  /// without the prefix's T-fold work and memory. backward() then walks back the same way.
  /// Requires repeat_prefix() > 0.
  void forward_repeated(const Tensor<T>& x, int steps, Tensor<T>& y);
  /// How many leading layers are frame-wise and followed by a spiking neuron (0: none, or no
  /// neuron follows them, and forward_repeated is not available).
  std::size_t repeat_prefix() const;

  /// Runs layers [first, size()) only (the classifier's fused path replaces the first ones).
  void forward_from(std::size_t first, const Tensor<T>& x, Tensor<T>& y);
  /// Backward through layers [first, size()); writes dL/d(input of layer `first`).
  void backward_from(std::size_t first, const Tensor<T>& x, const Tensor<T>& y,
                     const Tensor<T>& grad_y, Tensor<T>& grad_x, bool need_grad_x = true);

  void collect_parameters(ParameterList<T>& out) override;
  void collect_buffers(BufferList<T>& out) override;
  void set_training(bool training) override;
  /// One layer per line: "Sequential(\n  (0) Flatten()\n  (1) Linear(784, 10, bias=false)\n ...)".
  std::string describe() const override;

 private:
  std::vector<LayerPtr<T>> layers_;
  std::vector<Tensor<T>> acts_;   // acts_[i] = output of layer i (i < size() - 1), or its shape
                                  // alone (Tensor::shape_only) when no backward reads it
  std::vector<Tensor<T>> grads_;  // two ping-pong gradient buffers
  // The max pool the repeated neuron before it ran in its own forward (size(): none): the
  // backward then runs the two as one (SpikingNeuron::backward_pooled).
  std::size_t folded_pool_ = 0;
  Tensor<T> folded_grad_;  // that neuron's dL/dx (one frame)
  /// The prefix's BatchNorm layers count each frame as `copies` steps (forward_repeated) or 1.
  void set_prefix_copies(std::size_t prefix, int copies);
  /// Layers [first, size()) forward; layer repeat_at (size(): none) takes x's one frame at each
  /// of `steps` steps.
  void run(std::size_t first, const Tensor<T>& x, std::size_t repeat_at, int steps, Tensor<T>& y);
  /// Whether the backward reads the values of layer i's output (i + 1 < size()).
  bool read_back(std::size_t i) const;
};

}  // namespace snn::learning
