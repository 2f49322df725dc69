// Fuzz target: a checkpoint file (HDF5) through read_checkpoint. Any input must either load or
// throw snn::Error (IoError/FormatError); a crash, a leak or a hang is a bug.
#include <cstddef>
#include <cstdint>

#include "io/checkpoint.h"
#include "sim/core/errors.h"
#include "tests/fuzz/fuzz_input_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static snn::fuzz::InputFile file(".h5");
  try {
    snn::io::CheckpointData d = snn::io::read_checkpoint(file.write(data, size));
    (void)d;
  } catch (const snn::Error&) {
  }
  return 0;
}
