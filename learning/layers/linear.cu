// Linear forward/backward with the device system's gemm; bias add and bias gradient by Thrust.
#include "learning/layers/linear.h"

#include <cmath>
#include <sstream>
#include <vector>

#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>

#include "learning/math/gemm.h"
#include "sim/core/errors.h"
#include "sim/core/rng.h"

namespace snn::learning {
namespace {

template <class T>
struct AddBias {
  const T* b;
  T* y;
  std::int64_t out;
  SNN_HD void operator()(std::int64_t k) const { y[k] += b[k % out]; }
};

template <class T>
struct BiasGrad {  // grad_b[o] += Σ_rows grad_y[row, o]
  const T* gy;
  T* gb;
  std::int64_t rows, out;
  SNN_HD void operator()(std::int64_t o) const {
    T acc = T(0);
    for (std::int64_t r = 0; r < rows; ++r) acc += gy[r * out + o];
    gb[o] += acc;
  }
};

/// U(-bound, bound) values from a counter-based stream: value i uses word i % 4 of draw i / 4.
template <class T>
std::vector<T> uniform_init(std::int64_t n, double bound, std::uint64_t seed, std::uint32_t stream) {
  CounterRng rng{seed, stream};
  std::vector<T> v(n);
  for (std::int64_t i = 0; i < n; i += 2) {
    const Random4 r = rng.draw(static_cast<std::uint32_t>(i / 2), 0, 0, 0);
    v[i] = T((2.0 * uniform01_double(r.w[0], r.w[1]) - 1.0) * bound);
    if (i + 1 < n) v[i + 1] = T((2.0 * uniform01_double(r.w[2], r.w[3]) - 1.0) * bound);
  }
  return v;
}

}  // namespace

template <class T>
Linear<T>::Linear(int in, int out, bool bias, const std::string& name, std::uint64_t seed)
    : in_(in), out_(out), has_bias_(bias) {
  require(in >= 1 && out >= 1, "Linear(" + std::to_string(in) + ", " + std::to_string(out) +
                                   "): sizes must be >= 1");
  const double bound = 1.0 / std::sqrt(static_cast<double>(in));
  weight_ = Parameter<T>(name + ".weight", {out, in});
  weight_.value.from_host({out, in}, uniform_init<T>(std::int64_t(out) * in, bound, seed, 0x4C57u));
  if (has_bias_) {
    bias_ = Parameter<T>(name + ".bias", {out});
    bias_.value.from_host({out}, uniform_init<T>(out, bound, seed, 0x4C42u));
  }
}

template <class T>
void Linear<T>::forward(const Tensor<T>& x, Tensor<T>& y) {
  require(x.ndim() >= 2 && x.dim(-1) == in_, describe() + ": input " + shape_string(x.shape()) +
                                                 " must end in " + std::to_string(in_));
  Shape s = x.shape();
  s.back() = out_;
  y.resize(s);
  const std::int64_t rows = x.size() / in_;
  gemm(false, true, int(rows), out_, in_, T(1), x.data(), in_, weight_.value.data(), in_, T(0),
       y.data(), out_);
  if (has_bias_)
    thrust::for_each(exec(), thrust::counting_iterator<std::int64_t>(0),
                     thrust::counting_iterator<std::int64_t>(y.size()),
                     AddBias<T>{bias_.value.data(), y.data(), out_});
}

template <class T>
void Linear<T>::backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& grad_y,
                         Tensor<T>& grad_x, bool need_grad_x) {
  require(grad_y.shape() == y.shape(), describe() + " backward: gradient shape " +
                                           shape_string(grad_y.shape()) + " != output " +
                                           shape_string(y.shape()));
  const std::int64_t rows = x.size() / in_;
  // dW [out, in] += grad_yᵀ [out, rows] · x [rows, in]
  gemm(true, false, out_, in_, int(rows), T(1), grad_y.data(), out_, x.data(), in_, T(1),
       weight_.grad.data(), in_);
  if (has_bias_)
    thrust::for_each(exec(), thrust::counting_iterator<std::int64_t>(0),
                     thrust::counting_iterator<std::int64_t>(out_),
                     BiasGrad<T>{grad_y.data(), bias_.grad.data(), rows, out_});
  if (need_grad_x) {
    grad_x.resize(x.shape());
    // dx [rows, in] = grad_y [rows, out] · W [out, in]
    gemm(false, false, int(rows), in_, out_, T(1), grad_y.data(), out_, weight_.value.data(), in_,
         T(0), grad_x.data(), in_);
  }
}

template <class T>
void Linear<T>::collect_parameters(ParameterList<T>& out) {
  out.push_back(&weight_);
  if (has_bias_) out.push_back(&bias_);
}

template <class T>
std::string Linear<T>::describe() const {
  std::ostringstream s;
  s << "Linear(" << in_ << ", " << out_ << ", bias=" << (has_bias_ ? "true" : "false") << ")";
  return s.str();
}

template class Linear<float>;
template class Linear<double>;

}  // namespace snn::learning
