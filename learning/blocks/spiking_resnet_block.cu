// Spiking ResNet block: forward and backward through its two branches.
#include "learning/blocks/block_common.h"
#include "learning/blocks/spiking_resnet_block.h"
#include "sim/core/errors.h"

namespace snn::learning {

template <class T>
SpikingResNetBlock<T>::SpikingResNetBlock(int in_channels, int out_channels, int stride,
                                          const LIFParams& neuron, const std::string& name,
                                          std::uint64_t seed, bool identity_bn)
    : in_channels_(in_channels), out_channels_(out_channels), stride_(stride), name_(name) {
  require(stride >= 1, name + ": stride must be >= 1, got " + std::to_string(stride));
  conv1_ = std::make_unique<Conv2d<T>>(in_channels, out_channels, 3, stride, 1, false,
                                       name + ".conv1", child_seed(seed, 1));
  bn1_ = std::make_unique<BatchNorm<T>>(out_channels, name + ".bn1");
  sn1_ = std::make_unique<LIF<T>>(neuron);
  conv2_ = std::make_unique<Conv2d<T>>(out_channels, out_channels, 3, 1, 1, false, name + ".conv2",
                                       child_seed(seed, 2));
  bn2_ = std::make_unique<BatchNorm<T>>(out_channels, name + ".bn2");
  if (stride != 1 || in_channels != out_channels)
    down_ = std::make_unique<Conv2d<T>>(in_channels, out_channels, 1, stride, 0, false,
                                        name + ".down.conv", child_seed(seed, 3));
  if (down_ || identity_bn)
    bn_short_ =
        std::make_unique<BatchNorm<T>>(out_channels, name + (down_ ? ".down.bn" : ".short.bn"));
  sn2_ = std::make_unique<LIF<T>>(neuron);
  // The neurons' inputs are BatchNorm outputs (plus the shortcut), which the backward recomputes
  // from the BatchNorm inputs it keeps anyway: the neurons need not store H_t.
  sn1_->set_store_history(false);
  sn2_->set_store_history(false);
}

template <class T>
void SpikingResNetBlock<T>::forward(const Tensor<T>& x, Tensor<T>& y) {
  Tensor<T>& grad_p = workspace_->buffers[1];
  Tensor<T>& grad_q = workspace_->buffers[2];
  // The values no backward reads (BN1, BN2 and shortcut outputs, their sum) live in the two
  // gradient buffers, which the backward overwrites only after the last forward is done with.
  Tensor<T>& main = grad_p;
  Tensor<T>& shortcut = grad_q;
  conv1_->forward(x, a1_);
  bn1_->forward(a1_, main);
  sn1_->forward(main, s1_);
  conv2_->forward(s1_, a2_);
  bn2_->forward(a2_, main);
  if (down_) {
    down_->forward(x, d_);
    bn_short_->forward(d_, shortcut);
  } else if (bn_short_) {
    bn_short_->forward(x, shortcut);
  }
  accumulate(main, bn_short_ ? shortcut : x);  // without the shortcut BN: z = BN2(...) + x
  sn2_->forward(main, y);
}

template <class T>
void SpikingResNetBlock<T>::backward(const Tensor<T>& x, const Tensor<T>& y,
                                     const Tensor<T>& grad_y, Tensor<T>& grad_x, bool need_grad_x) {
  Tensor<T>& grad_z = workspace_->buffers[0];
  Tensor<T>& grad_p = workspace_->buffers[1];
  Tensor<T>& grad_q = workspace_->buffers[2];
  // A BatchNorm's backward reads only its input; each neuron's is its input again, recomputed
  // from the BatchNorm input (bit for bit the forward's), and it writes its gradient over it.
  bn2_->renormalize(a2_, grad_p);  // z = BN2(a2) + shortcut, as in the forward
  if (down_) {
    bn_short_->renormalize(d_, grad_q);
    accumulate(grad_p, grad_q);
  } else if (bn_short_) {
    bn_short_->renormalize(x, grad_q);
    accumulate(grad_p, grad_q);
  } else {
    accumulate(grad_p, x);
  }
  sn2_->backward(grad_p, y, grad_y, grad_z);
  // main branch; it leaves dL/dz for the shortcut, whose gradient then needs no buffer of its own
  bn2_->backward(a2_, a2_, grad_z, grad_p);
  conv2_->backward(s1_, a2_, grad_p, grad_q);
  bn1_->renormalize(a1_, grad_p);
  sn1_->backward(grad_p, s1_, grad_q, grad_p);
  bn1_->backward(a1_, a1_, grad_p, grad_q);
  conv1_->backward(x, a1_, grad_q, grad_x, need_grad_x);
  // shortcut branch
  const Tensor<T>* grad_short = &grad_z;  // the identity
  if (down_) {
    bn_short_->backward(d_, d_, grad_z, grad_p);
    down_->backward(x, d_, grad_p, grad_q, need_grad_x);
    grad_short = &grad_q;
  } else if (bn_short_) {
    bn_short_->backward(x, x, grad_z, grad_p, need_grad_x);
    grad_short = &grad_p;
  }
  if (need_grad_x) accumulate(grad_x, *grad_short);
}

template <class T>
void SpikingResNetBlock<T>::collect_parameters(ParameterList<T>& out) {
  conv1_->collect_parameters(out);
  bn1_->collect_parameters(out);
  conv2_->collect_parameters(out);
  bn2_->collect_parameters(out);
  if (down_) down_->collect_parameters(out);
  if (bn_short_) bn_short_->collect_parameters(out);
}

template <class T>
void SpikingResNetBlock<T>::collect_buffers(BufferList<T>& out) {
  bn1_->collect_buffers(out);
  bn2_->collect_buffers(out);
  if (bn_short_) bn_short_->collect_buffers(out);
}

template <class T>
void SpikingResNetBlock<T>::set_training(bool training) {
  Layer<T>::set_training(training);
  for (Layer<T>* l :
       std::initializer_list<Layer<T>*>{conv1_.get(), bn1_.get(), sn1_.get(), conv2_.get(),
                                        bn2_.get(), bn_short_.get(), sn2_.get()})
    if (l) l->set_training(training);
  if (down_) down_->set_training(training);
}

template <class T>
std::string SpikingResNetBlock<T>::describe() const {
  return "SpikingResNetBlock(" + std::to_string(in_channels_) + " → " +
         std::to_string(out_channels_) + ", stride=" + std::to_string(stride_) + ", shortcut=" +
         (down_       ? "conv1×1+BN"
          : bn_short_ ? "BN"
                      : "identity") +
         ")";
}

template class SpikingResNetBlock<float>;
template class SpikingResNetBlock<double>;

}  // namespace snn::learning
