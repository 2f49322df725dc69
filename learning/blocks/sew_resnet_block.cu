// SEW ResNet block: forward and backward, with the connect function and its two partial
// derivatives in one elementwise pass each.
#include <algorithm>
#include <cctype>

#include "learning/blocks/block_common.h"
#include "learning/blocks/sew_resnet_block.h"
#include "learning/layers/index_loop.h"
#include "sim/core/errors.h"

namespace snn::learning {
namespace sew_detail {

template <class T>
struct ConnectForward {
  const T* o;
  const T* id;
  T* y;
  SewConnect connect;
  SNN_HD void operator()(std::int64_t i) const {
    switch (connect) {
      case SewConnect::Add:
        y[i] = o[i] + id[i];
        break;
      case SewConnect::And:
        y[i] = o[i] * id[i];
        break;
      default:
        y[i] = (T(1) - o[i]) * id[i];
        break;
    }
  }
};

/// dL/dO and dL/did from dL/dy.
template <class T>
struct ConnectBackward {
  const T* o;
  const T* id;
  const T* grad_y;
  T* grad_o;
  T* grad_id;
  SewConnect connect;
  SNN_HD void operator()(std::int64_t i) const {
    const T g = grad_y[i];
    switch (connect) {
      case SewConnect::Add:
        grad_o[i] = g;
        grad_id[i] = g;
        break;
      case SewConnect::And:
        grad_o[i] = g * id[i];
        grad_id[i] = g * o[i];
        break;
      default:
        grad_o[i] = -g * id[i];
        grad_id[i] = g * (T(1) - o[i]);
        break;
    }
  }
};

}  // namespace sew_detail

SewConnect parse_sew_connect(const std::string& name) {
  std::string s = name;
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  if (s == "add") return SewConnect::Add;
  if (s == "and") return SewConnect::And;
  if (s == "iand") return SewConnect::IAnd;
  throw InvalidParameter("SEW connect function must be add, and or iand, got '" + name + "'");
}

std::string sew_connect_name(SewConnect connect) {
  switch (connect) {
    case SewConnect::Add:
      return "add";
    case SewConnect::And:
      return "and";
    default:
      return "iand";
  }
}

template <class T>
SewResNetBlock<T>::SewResNetBlock(int in_channels, int out_channels, int stride, SewConnect connect,
                                  const LIFParams& neuron, const std::string& name,
                                  std::uint64_t seed)
    : in_channels_(in_channels),
      out_channels_(out_channels),
      stride_(stride),
      connect_(connect),
      name_(name) {
  require(stride >= 1, name + ": stride must be >= 1, got " + std::to_string(stride));
  conv1_ = std::make_unique<Conv2d<T>>(in_channels, out_channels, 3, stride, 1, false,
                                       name + ".conv1", child_seed(seed, 1));
  bn1_ = std::make_unique<BatchNorm<T>>(out_channels, name + ".bn1");
  sn1_ = std::make_unique<LIF<T>>(neuron);
  conv2_ = std::make_unique<Conv2d<T>>(out_channels, out_channels, 3, 1, 1, false, name + ".conv2",
                                       child_seed(seed, 2));
  bn2_ = std::make_unique<BatchNorm<T>>(out_channels, name + ".bn2");
  sn2_ = std::make_unique<LIF<T>>(neuron);
  if (stride != 1 || in_channels != out_channels) {
    down_ = std::make_unique<Conv2d<T>>(in_channels, out_channels, 1, stride, 0, false,
                                        name + ".down.conv", child_seed(seed, 3));
    bn_down_ = std::make_unique<BatchNorm<T>>(out_channels, name + ".down.bn");
    sn_down_ = std::make_unique<LIF<T>>(neuron);
  }
  // The neurons' inputs are BatchNorm outputs, which the backward recomputes from the BatchNorm
  // inputs it keeps anyway: the neurons need not store H_t.
  for (SpikingNeuron<T>* sn : neurons()) sn->set_store_history(false);
}

template <class T>
std::vector<SpikingNeuron<T>*> SewResNetBlock<T>::neurons() {
  std::vector<SpikingNeuron<T>*> v{sn1_.get(), sn2_.get()};
  if (sn_down_) v.push_back(sn_down_.get());
  return v;
}

template <class T>
void SewResNetBlock<T>::forward(const Tensor<T>& x, Tensor<T>& y) {
  std::array<Tensor<T>, 4>& ws = workspace_->buffers;
  // The values no backward reads live in buffers of the workspace that the backward overwrites
  // only after the last forward is done with them: the BatchNorm outputs, and with ADD (whose
  // gradient reaches both branches unchanged) the two branches' spikes too. AND and IAND read
  // them back, so those keep them.
  Tensor<T>& bn_out = ws[2];
  const bool keep = connect_ != SewConnect::Add;
  Tensor<T>& o = keep ? o_ : ws[3];
  conv1_->forward(x, a1_);
  bn1_->forward(a1_, bn_out);
  sn1_->forward(bn_out, s1_);
  conv2_->forward(s1_, a2_);
  bn2_->forward(a2_, bn_out);
  sn2_->forward(bn_out, o);
  const Tensor<T>* id = &x;
  if (down_) {
    Tensor<T>& id_out = keep ? id_ : ws[0];
    down_->forward(x, d_);
    bn_down_->forward(d_, bn_out);
    sn_down_->forward(bn_out, id_out);
    id = &id_out;
  }
  require(id->shape() == o.shape(), name_ + ": identity " + shape_string(id->shape()) +
                                        " does not match the block output " +
                                        shape_string(o.shape()));
  y.resize(o.shape());
  for_each_index(y.size(), sew_detail::ConnectForward<T>{o.data(), id->data(), y.data(), connect_});
}

template <class T>
void SewResNetBlock<T>::backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& grad_y,
                                 Tensor<T>& grad_x, bool need_grad_x) {
  std::array<Tensor<T>, 4>& ws = workspace_->buffers;
  Tensor<T>& grad_p = ws[2];
  Tensor<T>& grad_q = ws[3];
  // dL/dO and dL/did: dL/dy itself with ADD; AND and IAND weigh it by the other branch
  const Tensor<T>* grad_o = &grad_y;
  const Tensor<T>* grad_id = &grad_y;
  if (connect_ != SewConnect::Add) {
    const Tensor<T>& id = down_ ? id_ : x;
    ws[0].resize(o_.shape());
    ws[1].resize(o_.shape());
    for_each_index(o_.size(), sew_detail::ConnectBackward<T>{o_.data(), id.data(), grad_y.data(),
                                                             ws[0].data(), ws[1].data(), connect_});
    grad_o = &ws[0];
    grad_id = &ws[1];
  }
  // A BatchNorm's backward reads only its input; each neuron's is its input again, recomputed
  // from the BatchNorm input (bit for bit the forward's), and it writes its gradient over it (a
  // neuron's own output is passed for its shape, which its gradient has).
  // main branch
  bn2_->renormalize(a2_, grad_p);
  sn2_->backward(grad_p, *grad_o, *grad_o, grad_p);
  bn2_->backward(a2_, a2_, grad_p, grad_q);
  conv2_->backward(s1_, a2_, grad_q, grad_p);
  bn1_->renormalize(a1_, grad_q);
  sn1_->backward(grad_q, s1_, grad_p, grad_q);
  bn1_->backward(a1_, a1_, grad_q, grad_p);
  conv1_->backward(x, a1_, grad_p, grad_x, need_grad_x);
  // identity branch
  const Tensor<T>* grad_short = grad_id;
  if (down_) {
    bn_down_->renormalize(d_, grad_q);
    sn_down_->backward(grad_q, *grad_id, *grad_id, grad_q);
    bn_down_->backward(d_, d_, grad_q, grad_p);
    down_->backward(x, d_, grad_p, grad_q, need_grad_x);
    grad_short = &grad_q;
  }
  if (need_grad_x) accumulate(grad_x, *grad_short);
}

template <class T>
void SewResNetBlock<T>::collect_parameters(ParameterList<T>& out) {
  conv1_->collect_parameters(out);
  bn1_->collect_parameters(out);
  conv2_->collect_parameters(out);
  bn2_->collect_parameters(out);
  if (down_) {
    down_->collect_parameters(out);
    bn_down_->collect_parameters(out);
  }
}

template <class T>
void SewResNetBlock<T>::collect_buffers(BufferList<T>& out) {
  bn1_->collect_buffers(out);
  bn2_->collect_buffers(out);
  if (bn_down_) bn_down_->collect_buffers(out);
}

template <class T>
void SewResNetBlock<T>::set_training(bool training) {
  Layer<T>::set_training(training);
  for (Layer<T>* l : std::initializer_list<Layer<T>*>{conv1_.get(), bn1_.get(), sn1_.get(),
                                                      conv2_.get(), bn2_.get(), sn2_.get()})
    l->set_training(training);
  if (down_) {
    down_->set_training(training);
    bn_down_->set_training(training);
    sn_down_->set_training(training);
  }
}

template <class T>
std::string SewResNetBlock<T>::describe() const {
  return "SewResNetBlock(" + std::to_string(in_channels_) + " → " + std::to_string(out_channels_) +
         ", stride=" + std::to_string(stride_) + ", connect=" + sew_connect_name(connect_) +
         (down_ ? ", downsample=conv1×1+BN+LIF" : "") + ")";
}

template class SewResNetBlock<float>;
template class SewResNetBlock<double>;

}  // namespace snn::learning
