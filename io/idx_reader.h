// MNIST-style IDX files (LeCun's format, also Fashion-MNIST): unsigned-byte images and labels,
// read whole into memory, gzip'd or not.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace snn::io {

/// Images and labels of one set. images holds count × channels × rows × cols bytes (channel-major,
/// then row-major, 0..255: the CHW layout of a tensor).
struct ImageSet {
  std::vector<std::uint8_t> images;
  std::vector<std::uint8_t> labels;
  int count = 0;
  int rows = 0;
  int cols = 0;
  int channels = 1;          ///< 1 for IDX files, 3 for CIFAR-10
  int declared_classes = 0;  ///< the format's class count (CIFAR-10: 10); 0 = not declared (IDX)

  int pixels() const { return channels * rows * cols; }
  /// Number of classes: declared_classes if set, else the largest label + 1 (0 for an empty set).
  int classes() const;
  /// Images [first, first + n) as a new set (n clipped to what is there).
  ImageSet slice(int first, int n) const;
};

/// Reads `dir`/{train,t10k}-images-idx3-ubyte and -labels-idx1-ubyte, each either plain or with a
/// `.gz` suffix (the plain name is preferred when both exist). Throws IoError for a missing or
/// unreadable file and FormatError for wrong magic numbers, bad dimensions, truncation, trailing
/// bytes or an image/label count mismatch; every message names the file and the problem.
ImageSet read_mnist(const std::string& dir, bool train);

/// Reads one image file and one label file (gzip'd or not) with the checks of read_mnist.
ImageSet read_idx_pair(const std::string& images_path, const std::string& labels_path);

/// The path of `dir`/`base` or `dir`/`base`.gz, whichever exists (plain first); IoError if neither.
std::string find_idx_file(const std::string& dir, const std::string& base);

}  // namespace snn::io
