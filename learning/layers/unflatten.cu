// Unflatten: a copy with a new shape (the layer interface gives each activation its own tensor).
#include "learning/layers/unflatten.h"

#include <thrust/copy.h>

#include "sim/core/errors.h"

namespace snn::learning {

template <class T>
Unflatten<T>::Unflatten(Shape inner) : inner_(std::move(inner)) {
  require(!inner_.empty() && shape_size(inner_) >= 1,
          "Unflatten: the inner shape must be non-empty, got " + shape_string(inner_));
}

template <class T>
void Unflatten<T>::forward(const Tensor<T>& x, Tensor<T>& y) {
  require(x.ndim() >= 3 && x.size() == x.dim(0) * x.dim(1) * shape_size(inner_),
          "Unflatten: input " + shape_string(x.shape()) + " does not hold [T, B] × " +
              shape_string(inner_));
  Shape s{x.dim(0), x.dim(1)};
  s.insert(s.end(), inner_.begin(), inner_.end());
  y.resize(s);
  thrust::copy(exec(), x.begin(), x.end(), y.begin());
}

template <class T>
void Unflatten<T>::backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& grad_y,
                            Tensor<T>& grad_x, bool need_grad_x) {
  if (!need_grad_x) return;
  grad_x.resize(x.shape());
  thrust::copy(exec(), grad_y.begin(), grad_y.end(), grad_x.begin());
}

template <class T>
std::string Unflatten<T>::describe() const {
  return "Unflatten(" + shape_string(inner_) + ")";
}

template class Unflatten<float>;
template class Unflatten<double>;

}  // namespace snn::learning
