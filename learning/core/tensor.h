// A dense tensor in device memory, row-major, multi-step layout [T, B, ...].
// resize() keeps the allocation when the size does not grow, so layers reuse their buffers from
// batch to batch and nothing is allocated inside the time loop.
#pragma once

#include <thrust/fill.h>

#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "sim/core/device_vector.h"
#include "sim/core/errors.h"

namespace snn::learning {

using Shape = std::vector<std::int64_t>;

inline std::int64_t shape_size(const Shape& s) {
  return std::accumulate(s.begin(), s.end(), std::int64_t{1}, std::multiplies<std::int64_t>());
}

inline std::string shape_string(const Shape& s) {
  std::string out = "[";
  for (std::size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

template <class T>
class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(const Shape& shape, T fill = T(0)) { resize(shape, fill); }

  const Shape& shape() const { return shape_; }
  std::int64_t dim(int i) const { return shape_.at(i < 0 ? shape_.size() + i : i); }
  int ndim() const { return static_cast<int>(shape_.size()); }
  std::int64_t size() const { return size_; }

  /// Changes the shape; grows the storage only when needed. Contents are unspecified.
  void resize(const Shape& shape) {
    shape_ = shape;
    size_ = shape_size(shape);
    if (static_cast<std::int64_t>(data_.size()) < size_) data_.resize(size_);
  }
  /// Changes the shape and fills with `value`.
  void resize(const Shape& shape, T value) {
    resize(shape);
    fill(value);
  }
  /// Same data, new shape of the same size.
  void reshape(const Shape& shape) {
    require(shape_size(shape) == size_,
            "reshape " + shape_string(shape_) + " to " + shape_string(shape) + ": sizes differ");
    shape_ = shape;
  }
  /// A stand-in with a shape and a size but no values: data() is null, and begin(), end(),
  /// fill() and to_host() must not be called. Sequential passes it, for its shape, in place of
  /// an activation whose values no backward reads.
  static Tensor shape_only(const Shape& shape) {
    Tensor t;
    t.shape_ = shape;
    t.size_ = shape_size(shape);
    return t;
  }
  void fill(T value) { thrust::fill(exec(), data_.begin(), data_.begin() + size_, value); }

  T* data() { return thrust::raw_pointer_cast(data_.data()); }
  const T* data() const { return thrust::raw_pointer_cast(data_.data()); }
  auto begin() { return data_.begin(); }
  auto end() { return data_.begin() + size_; }
  auto begin() const { return data_.begin(); }
  auto end() const { return data_.begin() + size_; }

  /// Host copy of the values (tests, checkpoints, traces).
  std::vector<T> to_host() const {
    HostVector<T> h(data_.begin(), data_.begin() + size_);
    return std::vector<T>(h.begin(), h.end());
  }
  /// Sets shape and values from host memory.
  void from_host(const Shape& shape, const std::vector<T>& values) {
    require(
        shape_size(shape) == static_cast<std::int64_t>(values.size()),
        "from_host: " + std::to_string(values.size()) + " values for shape " + shape_string(shape));
    resize(shape);
    thrust::copy(values.begin(), values.end(), data_.begin());
  }

 private:
  Shape shape_;
  std::int64_t size_ = 0;
  DeviceVector<T> data_;
};

}  // namespace snn::learning
