// Sequential: forward keeps each layer's output; backward walks back with two gradient buffers.
#include "learning/model/sequential.h"

#include <sstream>

#include "sim/core/errors.h"

namespace snn::learning {

template <class T>
Layer<T>& Sequential<T>::add(LayerPtr<T> layer) {
  require(layer != nullptr, "Sequential::add: null layer");
  layers_.push_back(std::move(layer));
  return *layers_.back();
}

template <class T>
void Sequential<T>::forward(const Tensor<T>& x, Tensor<T>& y) {
  forward_from(0, x, y);
}

template <class T>
void Sequential<T>::forward_from(std::size_t first, const Tensor<T>& x, Tensor<T>& y) {
  const std::size_t n = layers_.size();
  require(first < n, "Sequential::forward_from(" + std::to_string(first) + ") of " +
                         std::to_string(n) + " layers");
  if (acts_.size() < n) acts_.resize(n);
  const Tensor<T>* in = &x;
  for (std::size_t i = first; i < n; ++i) {
    Tensor<T>& out = (i + 1 == n) ? y : acts_[i];
    layers_[i]->forward(*in, out);
    in = &out;
  }
}

template <class T>
void Sequential<T>::backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& grad_y,
                             Tensor<T>& grad_x, bool need_grad_x) {
  backward_from(0, x, y, grad_y, grad_x, need_grad_x);
}

template <class T>
void Sequential<T>::backward_from(std::size_t first, const Tensor<T>& x, const Tensor<T>& y,
                                  const Tensor<T>& grad_y, Tensor<T>& grad_x, bool need_grad_x) {
  const std::size_t n = layers_.size();
  require(first < n, "Sequential::backward_from(" + std::to_string(first) + ") of " +
                         std::to_string(n) + " layers");
  if (grads_.size() < 2) grads_.resize(2);
  const Tensor<T>* g_out = &grad_y;
  for (std::size_t i = n; i-- > first;) {
    const Tensor<T>& in = (i == first) ? x : acts_[i - 1];
    const Tensor<T>& out = (i + 1 == n) ? y : acts_[i];
    Tensor<T>& g_in = (i == first) ? grad_x : grads_[i % 2];
    const bool need = (i == first) ? need_grad_x : true;
    layers_[i]->backward(in, out, *g_out, g_in, need);
    g_out = &g_in;
  }
}

template <class T>
void Sequential<T>::collect_parameters(ParameterList<T>& out) {
  for (auto& l : layers_) l->collect_parameters(out);
}

template <class T>
void Sequential<T>::collect_buffers(BufferList<T>& out) {
  for (auto& l : layers_) l->collect_buffers(out);
}

template <class T>
void Sequential<T>::set_training(bool training) {
  this->training_ = training;
  for (auto& l : layers_) l->set_training(training);
}

template <class T>
std::string Sequential<T>::describe() const {
  std::ostringstream s;
  s << "Sequential(\n";
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    std::string d = layers_[i]->describe();
    // indent nested multi-line descriptions
    for (std::size_t p = d.find('\n'); p != std::string::npos; p = d.find('\n', p + 3))
      d.replace(p, 1, "\n  ");
    s << "  (" << i << ") " << d << "\n";
  }
  s << ")";
  return s.str();
}

template class Sequential<float>;
template class Sequential<double>;

}  // namespace snn::learning
