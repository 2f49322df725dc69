// Poisson and direct encoders (the generic path; the fused path draws the same spikes itself).
#include "learning/encoding/encoders.h"

#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>

#include "sim/core/errors.h"

namespace snn::learning {
namespace {

template <class T>
struct PoissonEncode {
  PoissonStream ps;
  const T* img;
  T* out;
  std::int64_t batch, pixels;
  SNN_HD void operator()(std::int64_t k) const {  // k = (t · batch + b) · pixels + p
    const std::int64_t p = k % pixels, tb = k / pixels, b = tb % batch, t = tb / batch;
    const std::uint32_t thr = poisson_threshold24(static_cast<float>(img[b * pixels + p]));
    const T s = ps.spikes(std::uint32_t(p), std::uint32_t(t), std::uint32_t(b), thr) ? T(1) : T(0);
    out[k] = s;
  }
};

template <class T>
struct Repeat {
  const T* img;
  T* out;
  std::int64_t n;
  SNN_HD void operator()(std::int64_t k) const { out[k] = img[k % n]; }
};

}  // namespace

template <class T>
void poisson_encode(const Tensor<T>& images, int steps, std::uint64_t seed, std::uint64_t batch_key,
                    Tensor<T>& out) {
  require(images.ndim() >= 1 && steps >= 1, "poisson_encode: images [B, ...] and steps >= 1, got " +
                                                shape_string(images.shape()) + " and " +
                                                std::to_string(steps));
  Shape s = images.shape();
  s.insert(s.begin(), steps);
  out.resize(s);
  const std::int64_t batch = images.dim(0), pixels = batch ? images.size() / batch : 0;
  thrust::for_each(exec(), thrust::counting_iterator<std::int64_t>(0),
                   thrust::counting_iterator<std::int64_t>(out.size()),
                   PoissonEncode<T>{PoissonStream::make(seed, batch_key), images.data(), out.data(),
                                    batch, pixels});
}

template <class T>
void direct_encode(const Tensor<T>& images, int steps, Tensor<T>& out) {
  require(images.ndim() >= 1 && steps >= 1, "direct_encode: images [B, ...] and steps >= 1, got " +
                                                shape_string(images.shape()) + " and " +
                                                std::to_string(steps));
  Shape s = images.shape();
  s.insert(s.begin(), steps);
  out.resize(s);
  if (images.size() == 0) return;
  thrust::for_each(exec(), thrust::counting_iterator<std::int64_t>(0),
                   thrust::counting_iterator<std::int64_t>(out.size()),
                   Repeat<T>{images.data(), out.data(), images.size()});
}

template void poisson_encode<float>(const Tensor<float>&, int, std::uint64_t, std::uint64_t, Tensor<float>&);
template void poisson_encode<double>(const Tensor<double>&, int, std::uint64_t, std::uint64_t, Tensor<double>&);
template void direct_encode<float>(const Tensor<float>&, int, Tensor<float>&);
template void direct_encode<double>(const Tensor<double>&, int, Tensor<double>&);

}  // namespace snn::learning
