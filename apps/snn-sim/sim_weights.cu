// snn-sim's weights files: see sim_weights.h.
#include <cstring>

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

/// This process's synapses of every projection, in the simulator's order (by source).
std::vector<io::ProjectionWeights> local_weights(const sim::Network& net) {
  std::vector<io::ProjectionWeights> out;
  for (int i = 0; i < net.projection_count(); ++i) {
    const sim::ProjectionSpec& s = net.projection_spec(i);
    out.push_back(io::ProjectionWeights{
        s.source, s.target, sim::synapse_model_name(s.synapse.model),
        sources_of(net.projection_rows(i)), net.projection_targets(i), net.projection_weights(i)});
  }
  return out;
}

template <class T>
void append(std::vector<char>& bytes, const std::vector<T>& v) {
  const std::uint64_t n = v.size();
  const std::size_t at = bytes.size();
  bytes.resize(at + sizeof n + n * sizeof(T));
  std::memcpy(bytes.data() + at, &n, sizeof n);
  if (n) std::memcpy(bytes.data() + at + sizeof n, v.data(), n * sizeof(T));
}

template <class T>
std::vector<T> take(const std::vector<char>& bytes, std::size_t& at) {
  std::uint64_t n = 0;
  std::memcpy(&n, bytes.data() + at, sizeof n);
  std::vector<T> v(n);
  if (n) std::memcpy(v.data(), bytes.data() + at + sizeof n, n * sizeof(T));
  at += sizeof n + n * sizeof(T);
  return v;
}

/// The ranks' synapses of one projection merged into one process's order. Rank r owns a
/// contiguous target range below rank r + 1's, and one process's row of a source is the ranks'
/// rows of it, one after another in rank order (each rank keeps its targets' synapses of that
/// row, in the row's order), so the merge takes, source by source, every rank's row in turn.
void merge_by_source(const std::vector<io::ProjectionWeights>& ranks, io::ProjectionWeights& out) {
  std::vector<std::size_t> at(ranks.size(), 0);
  std::size_t total = 0;
  for (auto& r : ranks) total += r.source_ids.size();
  out.source_ids.reserve(total);
  out.target_ids.reserve(total);
  out.weight.reserve(total);
  while (out.source_ids.size() < total) {
    // The lowest source any rank has left.
    std::uint32_t s = ~0u;
    for (std::size_t r = 0; r < ranks.size(); ++r)
      if (at[r] < ranks[r].source_ids.size()) s = std::min(s, ranks[r].source_ids[at[r]]);
    for (std::size_t r = 0; r < ranks.size(); ++r)
      for (std::size_t& m = at[r]; m < ranks[r].source_ids.size() && ranks[r].source_ids[m] == s;
           ++m) {
        out.source_ids.push_back(s);
        out.target_ids.push_back(ranks[r].target_ids[m]);
        out.weight.push_back(ranks[r].weight[m]);
      }
  }
}

}  // namespace

void save_weights(const sim::Network& net, const std::string& path, sim::Exchange* ex) {
  std::vector<io::ProjectionWeights> mine = local_weights(net);
  if (!ex || ex->size() == 1) return io::write_weights(path, mine);
  if (ex->synthesised())
    throw InvalidParameter(path + ": a dry run (-dry-run-ranks) holds rank 0's synapses only; " +
                           "-save-weights needs the whole network");
  std::vector<char> bytes;
  for (const io::ProjectionWeights& p : mine) {
    append(bytes, p.source_ids);
    append(bytes, p.target_ids);
    append(bytes, p.weight);
  }
  const std::vector<std::vector<char>> all = ex->gather_to_root(bytes);
  if (ex->rank() != 0) return;
  std::vector<std::size_t> at(all.size(), 0);
  for (io::ProjectionWeights& p : mine) {
    std::vector<io::ProjectionWeights> ranks(all.size());
    for (std::size_t r = 0; r < all.size(); ++r) {
      ranks[r].source_ids = take<std::uint32_t>(all[r], at[r]);
      ranks[r].target_ids = take<std::uint32_t>(all[r], at[r]);
      ranks[r].weight = take<float>(all[r], at[r]);
    }
    p.source_ids.clear();
    p.target_ids.clear();
    p.weight.clear();
    merge_by_source(ranks, p);
  }
  io::write_weights(path, mine);
}

void load_weights(sim::Network& net, const std::string& path) {
  net.build();
  std::vector<io::ProjectionWeights> in = io::read_weights(path);
  if (static_cast<int>(in.size()) != net.projection_count())
    throw FormatError(path + ": /projections holds " + std::to_string(in.size()) +
                      " projections, the network has " + std::to_string(net.projection_count()));
  for (int i = 0; i < net.projection_count(); ++i) {
    const sim::ProjectionSpec& s = net.projection_spec(i);
    io::ProjectionWeights& p = in[i];
    const std::string where = path + ": /projections/" + std::to_string(i);
    if (p.source != s.source || p.target != s.target)
      throw FormatError(where + ": projection " + p.source + " -> " + p.target +
                        ", the network's is " + s.source + " -> " + s.target);
    // The synapses onto this rank's targets, in the file's order (all of them on one process).
    const auto [lo, hi] = net.owned_neurons(s.target);
    std::size_t kept = 0;
    for (std::size_t m = 0; m < p.target_ids.size(); ++m)
      if (p.target_ids[m] >= lo && p.target_ids[m] < hi) {
        p.source_ids[kept] = p.source_ids[m];
        p.target_ids[kept] = p.target_ids[m];
        p.weight[kept] = p.weight[m];
        ++kept;
      }
    p.source_ids.resize(kept);
    p.target_ids.resize(kept);
    p.weight.resize(kept);
    if (p.source_ids != sources_of(net.projection_rows(i)))
      throw FormatError(where + "/source_ids: not the network's synapses");
    if (p.target_ids != net.projection_targets(i))
      throw FormatError(where + "/target_ids: not the network's synapses");
    if (s.synapse.model != sim::SynapseModel::Static) net.set_projection_weights(i, p.weight);
  }
}

}  // namespace snn::apps
