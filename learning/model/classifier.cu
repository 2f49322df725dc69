// Classifier: encoder + body, with the fused Poisson→Linear→neuron stage when the body allows it.
#include "learning/layers/flatten.h"
#include "learning/layers/linear.h"
#include "learning/layers/poisson_linear.h"
#include "learning/model/classifier.h"
#include "learning/neurons/neuron.h"
#include "sim/core/errors.h"

namespace snn::learning {

template <class T>
Classifier<T>::Classifier(EncoderKind encoder, std::unique_ptr<Sequential<T>> body,
                          std::uint64_t seed)
    : encoder_(encoder), body_(std::move(body)), seed_(seed) {
  require(body_ != nullptr && body_->size() > 0, "Classifier: the body has no layers");
  if (encoder_ != EncoderKind::Poisson) return;
  // [Flatten →] Linear → IF/LIF at the start of the body: fuse it with the Poisson encoder.
  std::size_t i = 0;
  if (dynamic_cast<Flatten<T>*>(&body_->layer(0)) != nullptr) i = 1;
  if (i + 2 > body_->size()) return;
  auto* linear = dynamic_cast<Linear<T>*>(&body_->layer(i));
  auto* neuron = dynamic_cast<SpikingNeuron<T>*>(&body_->layer(i + 1));
  if (linear == nullptr || neuron == nullptr) return;
  fused_ = std::make_unique<PoissonLinearNeuron<T>>(*linear, *neuron, seed_);
  fused_layers_ = i + 2;
}

template <class T>
Classifier<T>::~Classifier() = default;

template <class T>
const Tensor<T>& Classifier<T>::forward(const Tensor<T>& images, int steps,
                                        std::uint64_t batch_key) {
  require(steps >= 1, "Classifier::forward: steps must be >= 1, got " + std::to_string(steps));
  require(images.ndim() >= 1, "Classifier::forward: images must be [B, ...]");
  last_was_fused_ = fused();
  if (last_was_fused_) {
    fused_->forward(images, steps, batch_key, fused_out_, training_);
    if (fused_layers_ == body_->size()) return fused_out_;
    body_->forward_from(fused_layers_, fused_out_, output_);
    return output_;
  }
  if (direct_once()) {
    direct_encode(images, 1, encoded_);  // [1, B, ...]: the same frame at every step
    body_->forward_repeated(encoded_, steps, output_);
    return output_;
  }
  if (encoder_ == EncoderKind::Poisson)
    poisson_encode(images, steps, seed_, batch_key, encoded_);
  else
    direct_encode(images, steps, encoded_);
  body_->forward(encoded_, output_);
  return output_;
}

template <class T>
void Classifier<T>::backward(const Tensor<T>& grad_output) {
  if (last_was_fused_) {
    if (fused_layers_ == body_->size()) {
      fused_->backward(grad_output);
      return;
    }
    body_->backward_from(fused_layers_, fused_out_, output_, grad_output, grad_in_, true);
    fused_->backward(grad_in_);
    return;
  }
  body_->backward(encoded_, output_, grad_output, grad_in_, false);
}

template <class T>
ParameterList<T> Classifier<T>::parameters() {
  ParameterList<T> p;
  body_->collect_parameters(p);
  return p;
}

template <class T>
BufferList<T> Classifier<T>::buffers() {
  BufferList<T> b;
  body_->collect_buffers(b);
  return b;
}

template <class T>
void Classifier<T>::set_training(bool training) {
  training_ = training;
  body_->set_training(training);
}

template <class T>
void Classifier<T>::zero_grad() {
  for (Parameter<T>* p : parameters()) p->zero_grad();
}

template <class T>
const Tensor<T>& Classifier<T>::output_v_seq() const {
  const std::size_t n = body_->size();
  if (last_was_fused_ && fused_layers_ == n) return fused_->v_seq();
  auto* neuron = dynamic_cast<const SpikingNeuron<T>*>(&body_->layer(n - 1));
  require(neuron != nullptr, "Classifier::output_v_seq: the last layer (" +
                                 body_->layer(n - 1).describe() + ") is not a spiking neuron");
  return neuron->v_seq();
}

template <class T>
std::string Classifier<T>::describe() const {
  std::string s = std::string("Classifier(encoder=") +
                  (encoder_ == EncoderKind::Poisson ? "Poisson" : "Direct") +
                  ", seed=" + std::to_string(seed_);
  if (fused_)
    s += std::string(", fused first ") + std::to_string(fused_layers_) + " layers" +
         (use_fused_ ? "" : " (disabled)");
  return s + ")\n" + body_->describe();
}

template class Classifier<float>;
template class Classifier<double>;

}  // namespace snn::learning
