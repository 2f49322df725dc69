// NumPy .npy files (format version 1.0), written by a small writer of our own: a float32
// little-endian C-order array, as numpy.save writes it, so that numpy.load (and scripts made for
// SpikingJelly's v_t_array.npy / s_t_array.npy) read it.
//   magic "\x93NUMPY", version 1 0, uint16 header length, header
//   "{'descr': '<f4', 'fortran_order': False, 'shape': (T, C), }" padded with spaces and a
//   newline so that the data starts at a multiple of 64 bytes, then the values.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace snn::io {

/// The header (magic through the newline) of a float32 array of `shape`.
std::string npy_header(const std::vector<std::size_t>& shape);

/// Writes `values` (row-major, shape's product many) atomically to `path`. InvalidParameter if
/// the sizes differ; IoError if the file cannot be written.
void write_npy(const std::string& path, const std::vector<float>& values,
               const std::vector<std::size_t>& shape);

}  // namespace snn::io
