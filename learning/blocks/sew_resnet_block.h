// SEW ResNet basic block (Fang et al., "Deep residual learning in spiking neural networks",
// NeurIPS 2021; SpikingJelly sew_resnet):
//   O  = LIF2(BN2(conv3×3(LIF1(BN1(conv3×3_stride(x))))))
//   id = x, or LIF_d(BN_d(conv1×1_stride(x))) when the channels or the size change
//   y  = g(O, id):  ADD  O + id  |  AND  O · id  |  IAND  (1 − O) · id
// x [T, B, Cin, H, W] → y [T, B, Cout, H/stride, W/stride]. With ADD the output counts can
// exceed 1.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "learning/blocks/block_common.h"
#include "learning/layers/batch_norm.h"
#include "learning/layers/conv2d.h"
#include "learning/neurons/lif.h"

namespace snn::learning {

enum class SewConnect { Add, And, IAnd };

/// "add", "and", "iand" (case-insensitive); throws InvalidParameter naming the accepted values.
SewConnect parse_sew_connect(const std::string& name);
/// "add", "and", "iand".
std::string sew_connect_name(SewConnect connect);

template <class T>
class SewResNetBlock : public Layer<T> {
 public:
  /// Parameters are named "<name>.conv1.weight", ..., "<name>.down.conv.weight",
  /// "<name>.down.bn.*".
  SewResNetBlock(int in_channels, int out_channels, int stride, SewConnect connect,
                 const LIFParams& neuron, const std::string& name, std::uint64_t seed);

  void forward(const Tensor<T>& x, Tensor<T>& y) override;
  void backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& grad_y, Tensor<T>& grad_x,
                bool need_grad_x = true) override;
  bool backward_reads_output() const override { return false; }
  void collect_parameters(ParameterList<T>& out) override;
  void collect_buffers(BufferList<T>& out) override;
  void set_training(bool training) override;
  std::string describe() const override;
  /// Use `workspace` (shared with the other blocks of a network) for the gradient buffers.
  void share_workspace(std::shared_ptr<BlockWorkspace<T>> workspace) {
    workspace_ = std::move(workspace);
  }

  /// The block's spiking neurons (tests switch them to a smooth forward).
  std::vector<SpikingNeuron<T>*> neurons();
  bool has_projection() const { return down_ != nullptr; }
  SewConnect connect() const { return connect_; }
  /// The inner layers (the NIR export walks them); the down ones are null without a projection.
  Conv2d<T>& conv1() { return *conv1_; }
  BatchNorm<T>& bn1() { return *bn1_; }
  LIF<T>& sn1() { return *sn1_; }
  Conv2d<T>& conv2() { return *conv2_; }
  BatchNorm<T>& bn2() { return *bn2_; }
  LIF<T>& sn2() { return *sn2_; }
  Conv2d<T>* down() { return down_.get(); }
  BatchNorm<T>* bn_down() { return bn_down_.get(); }
  LIF<T>* sn_down() { return sn_down_.get(); }

 private:
  int in_channels_, out_channels_, stride_;
  SewConnect connect_;
  std::string name_;
  std::unique_ptr<Conv2d<T>> conv1_, conv2_, down_;
  std::unique_ptr<BatchNorm<T>> bn1_, bn2_, bn_down_;
  std::unique_ptr<LIF<T>> sn1_, sn2_, sn_down_;
  Tensor<T> a1_, s1_, a2_, d_;  // the activations the backward reads
  Tensor<T> o_, id_;            // the two branches' spikes, which AND and IAND read back
  // Gradients, and the forward's values no backward reads.
  std::shared_ptr<BlockWorkspace<T>> workspace_ = std::make_shared<BlockWorkspace<T>>();
};

}  // namespace snn::learning
