// DnnlConv stub for builds without oneDNN (CUDA, or libdnnl-dev absent): available() is false and
// Conv2d keeps its im2col + GEMM path, so the methods are never reached.
#include <stdexcept>

#include "learning/math/conv_dnnl.h"

namespace snn::learning {

struct DnnlConv::Impl {};

bool DnnlConv::available() {
  return false;
}
DnnlConv::DnnlConv() = default;
DnnlConv::~DnnlConv() = default;

void DnnlConv::forward(const ConvGeometry&, const float*, const float*, const float*, float*) {
  throw std::logic_error("DnnlConv::forward: this build has no oneDNN");
}

void DnnlConv::backward(const ConvGeometry&, const float*, const float*, const float*, float*,
                        float*, float*) {
  throw std::logic_error("DnnlConv::backward: this build has no oneDNN");
}

}  // namespace snn::learning
