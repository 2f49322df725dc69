// The number of classes of a training/test pair, checked: the model's readout is sized by it, so
// a label beyond it, or a test set of another class count, is an error rather than a silently
// widened readout.
#pragma once

#include <string>

#include "io/idx_reader.h"

namespace snn::io {

/// The class count shared by `train` and `test`: a format's declared count (CIFAR-10: 10), else
/// max(min_classes, largest label + 1) of each set (IDX files declare none; MNIST-family sets have
/// 10). Throws FormatError naming the set when a label is >= the declared count, or when the two
/// sets' counts disagree (e.g. training labels 0..9 but test labels up to 12).
int checked_class_count(const ImageSet& train, const ImageSet& test, const std::string& train_name,
                        const std::string& test_name, int min_classes = 10);

}  // namespace snn::io
