// CIFAR-10's binary version (https://www.cs.toronto.edu/~kriz/cifar.html): data_batch_1..5.bin
// (training) and test_batch.bin, each a run of 3073-byte records (one label byte 0..9, then
// 3×32×32 pixels: 1024 red, 1024 green, 1024 blue, each row-major), either as files in the data
// folder (or its cifar-10-batches-bin/ subfolder, where the archive unpacks) or inside
// cifar-10-binary.tar.gz, read with zlib and a minimal ustar walk (no new dependency: the
// archive holds plain ustar members with short names).
#pragma once

#include <string>
#include <vector>

#include "io/idx_reader.h"

namespace snn::io {

constexpr int kCifarRecordBytes = 1 + 3 * 32 * 32;

/// Whether `dir` holds CIFAR-10: data_batch_1.bin in it or in cifar-10-batches-bin/, or
/// cifar-10-binary.tar.gz.
bool has_cifar10(const std::string& dir);

/// The five training batches (train) or the test batch, 3 channels, 10 declared classes. Throws
/// IoError for a missing or unreadable file, FormatError for an empty file, a size that is not a
/// whole number of records, a label >= 10, a corrupt archive or one without a batch; every
/// message names the file (and the archive member).
ImageSet read_cifar10(const std::string& dir, bool train);

/// Parses records of one batch (checks as read_cifar10); `name` is the file for messages.
void append_cifar_records(const std::vector<std::uint8_t>& bytes, const std::string& name,
                          ImageSet& set);

}  // namespace snn::io
