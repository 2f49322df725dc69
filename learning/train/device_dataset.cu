// Upload once, gather per batch with one device pass.
#include <thrust/copy.h>
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>

#include <algorithm>
#include <cmath>

#include "learning/train/device_dataset.h"
#include "sim/core/errors.h"

namespace snn::learning {

namespace {

/// Copies `run` consecutive pixels of the batch per index: a whole image on the CPU systems (a
/// plain row copy, one division per image), one pixel on CUDA (a thread per pixel).
template <class T>
struct GatherRows {
  const T* src;
  const int* order;  // null: identity
  const int* src_labels;
  T* dst;
  int* dst_labels;
  int first;
  std::int64_t pixels, run;  // run divides pixels
  SNN_HD void operator()(std::int64_t index) const {
    const std::int64_t i0 = index * run, b = i0 / pixels, p0 = i0 - b * pixels;
    const std::int64_t row = order ? order[first + b] : first + b;
    const T* from = src + row * pixels + p0;
    T* to = dst + i0;
    for (std::int64_t k = 0; k < run; ++k) to[k] = from[k];
    if (p0 == 0) dst_labels[b] = src_labels[row];
  }
};

}  // namespace

ChannelNormalization channel_statistics(const io::ImageSet& set) {
  const std::size_t plane = static_cast<std::size_t>(set.rows) * set.cols;
  ChannelNormalization n;
  n.mean.assign(set.channels, 0.0);
  n.std.assign(set.channels, 0.0);
  std::vector<double> sum(set.channels, 0.0), sq(set.channels, 0.0);
  for (std::size_t i = 0; i < set.images.size(); ++i) {
    const int c = static_cast<int>((i / plane) % set.channels);
    const double x = set.images[i] / 255.0;
    sum[c] += x;
    sq[c] += x * x;
  }
  const double per_channel = static_cast<double>(set.count) * plane;
  for (int c = 0; c < set.channels; ++c) {
    n.mean[c] = sum[c] / per_channel;
    n.std[c] = std::sqrt(std::max(0.0, sq[c] / per_channel - n.mean[c] * n.mean[c]));
  }
  return n;
}

template <class T>
DeviceImageSet<T>::DeviceImageSet(const io::ImageSet& set, const ChannelNormalization& norm)
    : count_(set.count), rows_(set.rows), cols_(set.cols), channels_(set.channels) {
  std::vector<T> host(set.images.size());
  if (norm.empty()) {
    for (std::size_t i = 0; i < host.size(); ++i)
      host[i] = static_cast<T>(set.images[i]) / static_cast<T>(255);
  } else {
    require(static_cast<int>(norm.mean.size()) == channels_ &&
                static_cast<int>(norm.std.size()) == channels_,
            "-normalize needs one mean and one std per channel: the images have " +
                std::to_string(channels_) + " channels, got " + std::to_string(norm.mean.size()) +
                " means and " + std::to_string(norm.std.size()) + " stds");
    for (double s : norm.std)
      require(s > 0, "-normalize: a channel's std must be > 0, got " + num(s));
    const std::size_t plane = static_cast<std::size_t>(rows_) * cols_;
    for (std::size_t i = 0; i < host.size(); ++i) {
      const int c = static_cast<int>((i / plane) % channels_);
      host[i] = static_cast<T>((set.images[i] / 255.0 - norm.mean[c]) / norm.std[c]);
    }
  }
  images_ = DeviceVector<T>(host.begin(), host.end());
  host_labels_.assign(set.labels.begin(), set.labels.end());
  labels_ = DeviceVector<int>(host_labels_.begin(), host_labels_.end());
}

template <class T>
void DeviceImageSet<T>::gather(const DeviceVector<int>* order, int first, int n, Tensor<T>& images,
                               DeviceVector<int>& labels) const {
  require(first >= 0 && n > 0 && first + n <= count_,
          "batch [" + std::to_string(first) + ", " + std::to_string(first + n) +
              ") outside a set of " + std::to_string(count_) + " images");
  images.resize({n, channels_, rows_, cols_});
  if (static_cast<int>(labels.size()) != n) labels.resize(n);
  const std::int64_t pixels_per_image = pixels();
  const std::int64_t run = device_is_cuda() ? 1 : pixels_per_image;
  GatherRows<T> f{raw(images_),     order ? raw(*order) : nullptr,
                  raw(labels_),     images.data(),
                  raw(labels),      first,
                  pixels_per_image, run};
  thrust::for_each(exec(), thrust::counting_iterator<std::int64_t>(0),
                   thrust::counting_iterator<std::int64_t>(n * pixels_per_image / run), f);
}

template class DeviceImageSet<float>;
template class DeviceImageSet<double>;

}  // namespace snn::learning
