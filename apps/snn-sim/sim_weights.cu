// snn-sim's weights files: see sim_weights.h.
#include "apps/snn-sim/sim_weights.h"
#include "io/weights_file.h"
#include "sim/core/errors.h"

namespace snn::apps {
namespace {

/// Source id of every synapse, from the CSR row pointers.
std::vector<std::uint32_t> sources_of(const std::vector<std::uint64_t>& rows) {
  std::vector<std::uint32_t> s(rows.empty() ? 0 : rows.back());
  for (std::size_t i = 0; i + 1 < rows.size(); ++i)
    for (std::uint64_t m = rows[i]; m < rows[i + 1]; ++m) s[m] = static_cast<std::uint32_t>(i);
  return s;
}

}  // namespace

void save_weights(const sim::Network& net, const std::string& path) {
  std::vector<io::ProjectionWeights> out;
  for (int i = 0; i < net.projection_count(); ++i) {
    const sim::ProjectionSpec& s = net.projection_spec(i);
    out.push_back(io::ProjectionWeights{
        s.source, s.target, sim::synapse_model_name(s.synapse.model),
        sources_of(net.projection_rows(i)), net.projection_targets(i), net.projection_weights(i)});
  }
  io::write_weights(path, out);
}

void load_weights(sim::Network& net, const std::string& path) {
  net.build();
  const std::vector<io::ProjectionWeights> in = io::read_weights(path);
  if (static_cast<int>(in.size()) != net.projection_count())
    throw FormatError(path + ": /projections holds " + std::to_string(in.size()) +
                      " projections, the network has " + std::to_string(net.projection_count()));
  for (int i = 0; i < net.projection_count(); ++i) {
    const sim::ProjectionSpec& s = net.projection_spec(i);
    const io::ProjectionWeights& p = in[i];
    const std::string where = path + ": /projections/" + std::to_string(i);
    if (p.source != s.source || p.target != s.target)
      throw FormatError(where + ": projection " + p.source + " -> " + p.target +
                        ", the network's is " + s.source + " -> " + s.target);
    if (p.source_ids != sources_of(net.projection_rows(i)))
      throw FormatError(where + "/source_ids: not the network's synapses");
    if (p.target_ids != net.projection_targets(i))
      throw FormatError(where + "/target_ids: not the network's synapses");
    if (s.synapse.model != sim::SynapseModel::Static) net.set_projection_weights(i, p.weight);
  }
}

}  // namespace snn::apps
