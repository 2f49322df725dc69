// Spiking ResNet basic block (the project's reference drawing; cf. SpikingJelly spiking_resnet):
//   main     = BN2(conv3×3(LIF1(BN1(conv3×3_stride(x)))))
//   shortcut = BN_s(x), or BN_s(conv1×1_stride(x)) when the channels or the size change
//   y        = LIF2(main + shortcut)
// x [T, B, Cin, H, W] → y [T, B, Cout, H/stride, W/stride]. The block keeps its inner activations
// between forward and backward.
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

template <class T>
class SpikingResNetBlock : public Layer<T> {
 public:
  /// Parameters are named "<name>.conv1.weight", "<name>.bn1.weight", ...,
  /// "<name>.down.conv.weight",
  /// "<name>.down.bn.weight"; weights drawn from `seed`.
  /// identity_bn: a BatchNorm on an identity shortcut too (the SNN-ResNet note's layout, the
  /// default); false gives torchvision's BasicBlock (x added as it is).
  SpikingResNetBlock(int in_channels, int out_channels, int stride, const LIFParams& neuron,
                     const std::string& name, std::uint64_t seed, bool identity_bn = true);

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
  std::vector<SpikingNeuron<T>*> neurons() { return {sn1_.get(), sn2_.get()}; }
  bool has_projection() const { return down_ != nullptr; }
  /// The inner layers (the NIR export walks them); down() is null without a projection.
  Conv2d<T>& conv1() { return *conv1_; }
  BatchNorm<T>& bn1() { return *bn1_; }
  LIF<T>& sn1() { return *sn1_; }
  Conv2d<T>& conv2() { return *conv2_; }
  BatchNorm<T>& bn2() { return *bn2_; }
  Conv2d<T>* down() { return down_.get(); }
  /// The shortcut's BatchNorm (after down() or on the identity); only if has_shortcut_bn().
  BatchNorm<T>& bn_short() { return *bn_short_; }
  bool has_shortcut_bn() const { return bn_short_ != nullptr; }
  LIF<T>& sn2() { return *sn2_; }

 private:
  int in_channels_, out_channels_, stride_;
  std::string name_;
  std::unique_ptr<Conv2d<T>> conv1_, conv2_, down_;
  std::unique_ptr<BatchNorm<T>> bn1_, bn2_, bn_short_;
  std::unique_ptr<LIF<T>> sn1_, sn2_;
  Tensor<T> a1_, s1_, a2_, d_;  // the activations the backward reads
  // Gradients; grad_p and grad_q also hold the forward's transient values (BN outputs, z).
  std::shared_ptr<BlockWorkspace<T>> workspace_ = std::make_shared<BlockWorkspace<T>>();
};

}  // namespace snn::learning
