// Elementwise helpers of the residual blocks.
#include "learning/blocks/block_common.h"

#include <thrust/functional.h>
#include <thrust/transform.h>

#include "sim/core/errors.h"

namespace snn::learning {

template <class T>
void add_tensors(const Tensor<T>& a, const Tensor<T>& b, Tensor<T>& out) {
  require(a.shape() == b.shape(), "add: shapes " + shape_string(a.shape()) + " and " +
                                      shape_string(b.shape()) + " differ");
  out.resize(a.shape());
  thrust::transform(exec(), a.begin(), a.end(), b.begin(), out.begin(), thrust::plus<T>());
}

template <class T>
void accumulate(Tensor<T>& acc, const Tensor<T>& b) {
  require(acc.shape() == b.shape(), "accumulate: shapes " + shape_string(acc.shape()) + " and " +
                                        shape_string(b.shape()) + " differ");
  thrust::transform(exec(), acc.begin(), acc.end(), b.begin(), acc.begin(), thrust::plus<T>());
}

template void add_tensors(const Tensor<float>&, const Tensor<float>&, Tensor<float>&);
template void add_tensors(const Tensor<double>&, const Tensor<double>&, Tensor<double>&);
template void accumulate(Tensor<float>&, const Tensor<float>&);
template void accumulate(Tensor<double>&, const Tensor<double>&);

}  // namespace snn::learning
