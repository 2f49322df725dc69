// Fuzz target: IDX image and label files, plain or gzip'd (zlib tells them apart by content).
// The first byte picks the file under test: even, an images file read with a valid one-label
// file; odd, a labels file read with a valid one-image file. Anything but success or snn::Error
// is a bug.
#include <cstddef>
#include <cstdint>

#include "io/idx_reader.h"
#include "sim/core/errors.h"
#include "tests/fuzz/fuzz_input_file.h"

namespace {
// Valid partners: one 1×1 image, one label.
constexpr std::uint8_t kOneImage[] = {0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 42};
constexpr std::uint8_t kOneLabel[] = {0, 0, 8, 1, 0, 0, 0, 1, 7};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static snn::fuzz::InputFile fuzzed("-fuzzed"), images("-images"), labels("-labels");
  static const std::string& one_image = images.write(kOneImage, sizeof kOneImage);
  static const std::string& one_label = labels.write(kOneLabel, sizeof kOneLabel);
  if (size == 0) return 0;
  const bool fuzz_labels = data[0] & 1;
  const std::string& path = fuzzed.write(data + 1, size - 1);
  try {
    snn::io::ImageSet s = fuzz_labels ? snn::io::read_idx_pair(one_image, path)
                                      : snn::io::read_idx_pair(path, one_label);
    // What the trainer does with a set: its classes and a slice.
    if (s.classes() > 256 || s.slice(0, 1).count != 1) __builtin_trap();
  } catch (const snn::Error&) {
  }
  return 0;
}
