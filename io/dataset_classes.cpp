// Label checks shared by every reader.
#include "io/dataset_classes.h"

#include <algorithm>

#include "sim/core/errors.h"

namespace snn::io {
namespace {

int count_of(const ImageSet& s, const std::string& name, int min_classes) {
  const int largest = s.labels.empty() ? -1 : *std::max_element(s.labels.begin(), s.labels.end());
  if (s.declared_classes > 0) {
    if (largest >= s.declared_classes) {
      const auto at =
          std::find(s.labels.begin(), s.labels.end(), static_cast<std::uint8_t>(largest)) -
          s.labels.begin();
      throw FormatError(name + ": label " + std::to_string(largest) + " of image " +
                        std::to_string(at) + " is not below the format's " +
                        std::to_string(s.declared_classes) + " classes");
    }
    return s.declared_classes;
  }
  return std::max(min_classes, largest + 1);
}

}  // namespace

int checked_class_count(const ImageSet& train, const ImageSet& test, const std::string& train_name,
                        const std::string& test_name, int min_classes) {
  const int a = count_of(train, train_name, min_classes);
  const int b = count_of(test, test_name, min_classes);
  if (a != b)
    throw FormatError("the class counts disagree: " + train_name + " has " + std::to_string(a) +
                      " classes (labels 0.." + std::to_string(a - 1) + "), " + test_name + " has " +
                      std::to_string(b));
  return a;
}

}  // namespace snn::io
