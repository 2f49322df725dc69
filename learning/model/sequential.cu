// Sequential: forward keeps each layer's output; backward walks back with two gradient buffers.
#include <sstream>

#include "learning/layers/batch_norm.h"
#include "learning/layers/pooling.h"
#include "learning/model/sequential.h"
#include "learning/neurons/neuron.h"
#include "sim/core/errors.h"

namespace snn::learning {
namespace {

template <class T>
bool has_parameters(Layer<T>& layer) {
  ParameterList<T> p;
  layer.collect_parameters(p);
  return !p.empty();
}

}  // namespace

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
  set_prefix_copies(repeat_prefix(), 1);
  run(first, x, n, 0, y);
}

template <class T>
bool Sequential<T>::read_back(std::size_t i) const {
  return layers_[i]->backward_reads_output() || layers_[i + 1]->backward_reads_input();
}

template <class T>
void Sequential<T>::run(std::size_t first, const Tensor<T>& x, std::size_t repeat_at, int steps,
                        Tensor<T>& y) {
  const std::size_t n = layers_.size();
  if (acts_.size() < n) acts_.resize(n);
  if (grads_.size() < 2) grads_.resize(2);
  const Tensor<T>* in = &x;
  folded_pool_ = n;
  for (std::size_t i = first; i < n; ++i) {
    if (i == repeat_at && i + 1 < n) {
      // The direct input's neuron followed by a max pool: the two run as one, step by step, so
      // the spikes of all steps at full resolution (and their gradient) are never stored.
      auto& neuron = static_cast<SpikingNeuron<T>&>(*layers_[i]);
      auto* pool = dynamic_cast<MaxPool2d<T>*>(layers_[i + 1].get());
      if (pool && in->ndim() == 5 && SpikingNeuron<T>::can_fold(*pool, steps)) {
        const std::size_t p = i + 1;
        const bool last = p + 1 == n, keep = last || read_back(p);
        Tensor<T>& out = last ? y : keep ? acts_[p] : grads_[(p + 1) % 2];
        neuron.forward_repeated_pooled(*in, steps, *pool, out);
        Shape spikes = in->shape();
        spikes[0] = steps;
        acts_[i] = Tensor<T>::shape_only(spikes);
        if (!keep) acts_[p] = Tensor<T>::shape_only(out.shape());
        folded_pool_ = p;
        in = &out;
        i = p;
        continue;
      }
    }
    const bool last = i + 1 == n, keep = last || read_back(i);
    // An output no backward reads lives, until the next layer has read it, in the gradient
    // buffer that will hold dL/d(that output) in the backward (so it costs no memory of its
    // own); the backward gets a stand-in of its shape.
    Tensor<T>& out = last ? y : keep ? acts_[i] : grads_[(i + 1) % 2];
    if (i == repeat_at)
      static_cast<SpikingNeuron<T>&>(*layers_[i]).forward_repeated(*in, steps, out);
    else
      layers_[i]->forward(*in, out);
    if (!keep) acts_[i] = Tensor<T>::shape_only(out.shape());
    in = &out;
  }
}

template <class T>
std::size_t Sequential<T>::repeat_prefix() const {
  std::size_t k = 0;
  while (k < layers_.size() && layers_[k]->frame_wise()) ++k;
  const bool neuron_next =
      k < layers_.size() && dynamic_cast<const SpikingNeuron<T>*>(layers_[k].get()) != nullptr;
  return neuron_next ? k : 0;
}

template <class T>
void Sequential<T>::set_prefix_copies(std::size_t prefix, int copies) {
  for (std::size_t i = 0; i < prefix; ++i)
    if (auto* bn = dynamic_cast<BatchNorm<T>*>(layers_[i].get())) bn->set_frame_copies(copies);
}

template <class T>
void Sequential<T>::forward_repeated(const Tensor<T>& x, int steps, Tensor<T>& y) {
  const std::size_t k = repeat_prefix();
  require(k > 0,
          "Sequential::forward_repeated: the body does not start with frame-wise layers "
          "followed by a spiking neuron");
  require(x.ndim() >= 1 && x.dim(0) == 1,
          "Sequential::forward_repeated: the input must be one frame [1, B, ...], got " +
              shape_string(x.shape()));
  set_prefix_copies(k, steps);
  run(0, x, k, steps, y);
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
  // Without dL/dx, the walk stops at the first layer with parameters: the layers before it
  // (an Unflatten before the stem) have nothing to learn and nobody asks for their dL/dx.
  std::size_t stop = first;
  if (!need_grad_x)
    while (stop + 1 < n && !has_parameters(*layers_[stop])) ++stop;
  const Tensor<T>* g_out = &grad_y;
  for (std::size_t i = n; i-- > stop;) {
    if (i == folded_pool_ && i > stop && i - 1 >= first) {  // the neuron and the pool it ran
      const std::size_t k = i - 1;
      const Tensor<T>& in = (k == first) ? x : acts_[k - 1];
      // Not a ping-pong buffer: the pool's dL/dy is in grads_[k % 2] and layer k - 1 writes the
      // other one (two layers in one step break the alternation).
      Tensor<T>& g_in = (k == first) ? grad_x : folded_grad_;
      static_cast<SpikingNeuron<T>&>(*layers_[k])
          .backward_pooled(in, static_cast<const MaxPool2d<T>&>(*layers_[i]), *g_out, g_in);
      g_out = &g_in;
      i = k;
      continue;
    }
    const Tensor<T>& in = (i == first) ? x : acts_[i - 1];
    const Tensor<T>& out = (i + 1 == n) ? y : acts_[i];
    Tensor<T>& g_in = (i == first) ? grad_x : grads_[i % 2];
    const bool need = (i == stop) ? need_grad_x : true;
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
