// A labelled image set held whole in device memory as T in [0, 1] (pixel / 255, as torchvision's
// ToTensor; optionally standardised per channel), so batches are gathered on the device and nothing crosses the bus per batch but the
// permutation once per epoch.
#pragma once

#include <cstdint>
#include <vector>

#include "io/idx_reader.h"
#include "learning/core/tensor.h"
#include "sim/core/device_vector.h"

namespace snn::learning {

/// Per-channel standardisation x = (pixel/255 − mean[c]) / std[c] (torchvision's Normalize after
/// ToTensor). Empty: none.
struct ChannelNormalization {
  std::vector<double> mean, std;
  bool empty() const { return mean.empty(); }
};

/// The mean and (population) standard deviation of pixel/255 per channel over all of `set`.
ChannelNormalization channel_statistics(const io::ImageSet& set);

template <class T>
class DeviceImageSet {
 public:
  /// Converts and uploads `set` (count images of channels × rows × cols), standardised by `norm`
  /// when it is not empty. Throws InvalidParameter when norm has not one mean and one std > 0 per
  /// channel.
  explicit DeviceImageSet(const io::ImageSet& set, const ChannelNormalization& norm = {});

  int count() const { return count_; }
  int rows() const { return rows_; }
  int cols() const { return cols_; }
  int channels() const { return channels_; }
  int pixels() const { return channels_ * rows_ * cols_; }
  const DeviceVector<T>& images() const { return images_; }
  const DeviceVector<int>& labels() const { return labels_; }
  /// Host copy of the labels.
  const std::vector<int>& host_labels() const { return host_labels_; }

  /// Gathers images order[first .. first+n) into `images` [n, channels, rows, cols] and labels.
  /// `order` null means the identity (the test set in file order).
  void gather(const DeviceVector<int>* order, int first, int n, Tensor<T>& images,
              DeviceVector<int>& labels) const;

 private:
  int count_ = 0, rows_ = 0, cols_ = 0, channels_ = 1;
  DeviceVector<T> images_;
  DeviceVector<int> labels_;
  std::vector<int> host_labels_;
};

}  // namespace snn::learning
