// The parameters of each NIR node type: which dataset names NIR 1.0.7 stores and accepts, which
// are required, which the reader may fill with a default; per-node checks of their shapes.
#pragma once

#include <string>
#include <vector>

#include "io/nir/nir_graph.h"

namespace snn::io {

/// How the reader treats a field that a file lacks.
enum class NirNeed {
  Required,     ///< FormatError naming the node and the field
  Optional,     ///< left absent (Conv input_shape, Flatten input_type)
  DefaultZero,  ///< zeros shaped like the node's reference parameter (v_reset)
  DefaultOne,   ///< ones shaped like the reference parameter (w_in)
};

struct NirField {
  const char* name;
  NirNeed need;
};

/// The dataset names NIR's Python reader 1.0.7 accepts for nodes of type `t` (besides `type` and
/// the `metadata` group), in its order; a NIRGraph's `nodes`/`edges` are not listed.
const std::vector<NirField>& nir_fields(NirNodeType t);

/// Checks a node read from a file: every required field present and numeric (padding may be the
/// string "same"/"valid"), weight ranks, bias lengths, scalar-or-vector strides and neuron
/// parameters of one shape; fills the defaults (recorded in node.defaulted). FormatError
/// "WHERE: field 'F': ..." on the first problem, `where` naming the file and the node.
void apply_schema(NirNode& node, const std::string& where);

}  // namespace snn::io
