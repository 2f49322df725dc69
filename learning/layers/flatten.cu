// Flatten: a copy with the shape [T, B, prod(rest)]; backward copies back with the input's shape.
#include "learning/layers/flatten.h"

#include <thrust/copy.h>

#include "sim/core/errors.h"

namespace snn::learning {

template <class T>
void Flatten<T>::forward(const Tensor<T>& x, Tensor<T>& y) {
  require(x.ndim() >= 2, "Flatten: input must be [T, B, ...], got " + shape_string(x.shape()));
  const std::int64_t rows = x.dim(0) * x.dim(1);
  y.resize({x.dim(0), x.dim(1), rows ? x.size() / rows : 0});
  thrust::copy(exec(), x.begin(), x.end(), y.begin());
}

template <class T>
void Flatten<T>::backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& grad_y,
                          Tensor<T>& grad_x, bool need_grad_x) {
  if (!need_grad_x) return;
  grad_x.resize(x.shape());
  thrust::copy(exec(), grad_y.begin(), grad_y.end(), grad_x.begin());
}

template class Flatten<float>;
template class Flatten<double>;

}  // namespace snn::learning
