// Placeholder until the writer lands (io/nir/nir_writer.cpp).
#include "io/nir/nir_graph.h"
#include "sim/core/errors.h"

namespace snn::io {
void write_nir(const NirGraph&, const std::string& path) {
  throw IoError(path + ": NIR writer not built yet");
}
}  // namespace snn::io
