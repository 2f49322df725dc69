// Upload once, gather per batch with one device pass.
#include "learning/train/device_dataset.h"

#include <thrust/copy.h>
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>

namespace snn::learning {

namespace {

template <class T>
struct GatherRows {
  const T* src;
  const int* order;  // null: identity
  const int* src_labels;
  T* dst;
  int* dst_labels;
  int first;
  std::int64_t pixels;
  SNN_HD void operator()(std::int64_t i) const {
    std::int64_t b = i / pixels;
    std::int64_t p = i - b * pixels;
    std::int64_t row = order ? order[first + b] : first + b;
    dst[i] = src[row * pixels + p];
    if (p == 0) dst_labels[b] = src_labels[row];
  }
};

}  // namespace

template <class T>
DeviceImageSet<T>::DeviceImageSet(const io::ImageSet& set)
    : count_(set.count), rows_(set.rows), cols_(set.cols) {
  std::vector<T> host(set.images.size());
  for (std::size_t i = 0; i < host.size(); ++i) host[i] = static_cast<T>(set.images[i]) / static_cast<T>(255);
  images_ = DeviceVector<T>(host.begin(), host.end());
  host_labels_.assign(set.labels.begin(), set.labels.end());
  labels_ = DeviceVector<int>(host_labels_.begin(), host_labels_.end());
}

template <class T>
void DeviceImageSet<T>::gather(const DeviceVector<int>* order, int first, int n, Tensor<T>& images,
                               DeviceVector<int>& labels) const {
  require(first >= 0 && n > 0 && first + n <= count_,
          "batch [" + std::to_string(first) + ", " + std::to_string(first + n) + ") outside a set of " +
              std::to_string(count_) + " images");
  images.resize({n, 1, rows_, cols_});
  if (static_cast<int>(labels.size()) != n) labels.resize(n);
  GatherRows<T> f{raw(images_), order ? raw(*order) : nullptr, raw(labels_), images.data(), raw(labels), first,
                  static_cast<std::int64_t>(pixels())};
  thrust::for_each(exec(), thrust::counting_iterator<std::int64_t>(0),
                   thrust::counting_iterator<std::int64_t>(static_cast<std::int64_t>(n) * pixels()), f);
}

template class DeviceImageSet<float>;
template class DeviceImageSet<double>;

}  // namespace snn::learning
