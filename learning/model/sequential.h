// A chain of multi-step layers. Keeps every intermediate activation between forward and
// backward (reused from batch to batch) and passes them back to each layer's backward.
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
  void backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& grad_y,
                Tensor<T>& grad_x, bool need_grad_x = true) override;

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
  std::vector<Tensor<T>> acts_;   // acts_[i] = output of layer i, for i < size() - 1
  std::vector<Tensor<T>> grads_;  // two ping-pong gradient buffers
};

}  // namespace snn::learning
