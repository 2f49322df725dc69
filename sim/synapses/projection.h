// A projection built: synapses stored by source (CSR), rows sorted by target. Targets take 16
// bits when the target population has at most 65,536 neurons; a projection-wide weight or delay
// is stored once, not per synapse. A procedural projection stores no synapse: delivery
// regenerates a spiking source's row (random_rows.h), the same row the stored build would hold,
// except for fixed_indegree (drawn per target, so no source's row can be regenerated alone): its
// procedural form connects each pair with probability K / sources (in-degree Binomial, mean K).
#pragma once

#include <cstdint>
#include <string>

#include "sim/core/device_vector.h"
#include "sim/core/rng.h"
#include "sim/synapses/connectivity.h"
#include "sim/synapses/plasticity.h"
#include "sim/synapses/random_rows.h"

namespace snn::sim {

/// A procedural projection's rows: how delivery regenerates them.
struct ProceduralView {
  enum Kind { None, Walk, OutDegree };
  int kind = None;  ///< Walk: Bernoulli rows (fixed_probability, all_to_all, fixed_indegree)
  rows::BernoulliRow walk;
  rows::DegreeRow degree;  ///< OutDegree: k targets drawn per source, sorted
  rows::ValueDraw weight;  ///< per synapse unless Constant
  rows::DelayDraw delay;   ///< per synapse unless span 0
  CounterRng rng;          ///< the projection's stream (weights and delays)
};

/// What delivery reads, trivially copyable for device functors.
struct ProjectionView {
  const std::uint64_t* row_ptr;  ///< [n_source + 1]
  const std::uint16_t* t16;      ///< targets when 16 bits suffice, else null
  const std::uint32_t* t32;      ///< targets otherwise
  const float* weights;          ///< per synapse, or null: `weight` for all
  const std::uint16_t* delays;   ///< per synapse (steps), or null: `delay` for all
  float weight;
  int delay;  ///< steps
  int source_pop, target_pop;
  std::uint32_t inh_bit;  ///< kInhibitoryBit if the target population has two receptors, else 0
  PlasticView plastic;    ///< model 0 (static) unless the projection is plastic
  ProceduralView proc;    ///< kind None unless procedural (then row_ptr and targets are null)
};

class Projection {
 public:
  /// Builds `spec`'s synapses from n_source to n_target neurons (same_population: the rules'
  /// autapses apply). Draws come from rng, so the result depends on the seed only.
  /// Only synapses onto targets in [keep_lo, keep_hi) are kept (a rank's share of the target
  /// population, sim/distributed): they are the same synapses, with the same weights and delays,
  /// as in the whole projection. fixed_indegree draws only the kept targets' partners and
  /// fixed_probability walks only the kept range; the other rules draw whole rows and drop the
  /// rest.
  Projection(const ProjectionSpec& spec, std::uint32_t n_source, std::uint32_t n_target,
             bool same_population, double dt_ms, const CounterRng& rng, int source_pop,
             int target_pop, std::uint32_t keep_lo = 0, std::uint32_t keep_hi = 0xffffffffu);

  /// Synapses; for a procedural Bernoulli projection the expected number (rows are never drawn
  /// all at once).
  std::uint64_t synapses() const { return nnz_; }
  bool procedural() const { return proc_.kind != ProceduralView::None; }
  /// The largest procedural row (fixed out-degree: k; else 0): delivery's scratch per worker.
  std::uint32_t scratch_size() const {
    return proc_.kind == ProceduralView::OutDegree ? proc_.degree.k : 0;
  }
  int max_delay() const { return max_delay_; }
  int min_delay() const { return min_delay_; }
  std::uint32_t n_source() const { return n_source_; }
  std::uint32_t n_target() const { return n_target_; }
  ProjectionView view() const;

  /// Host copies, for tests and inspection: row pointers, targets, weights and delays per synapse
  /// (a procedural projection draws them all).
  std::vector<std::uint64_t> row_ptr_host() const;
  std::vector<std::uint32_t> targets_host() const;
  std::vector<float> weights_host() const;
  std::vector<int> delays_host() const;
  /// Bytes held on the device.
  std::size_t bytes() const;

 private:
  std::uint32_t n_source_, n_target_;
  std::uint64_t nnz_ = 0;
  DeviceVector<std::uint64_t> row_ptr_;
  DeviceVector<std::uint16_t> t16_;
  DeviceVector<std::uint32_t> t32_;
  DeviceVector<float> weights_;
  DeviceVector<std::uint16_t> delays_;
  float weight_ = 0;
  int delay_ = 1, max_delay_ = 1, min_delay_ = 1;
  int source_pop_, target_pop_;
  ProceduralView proc_;

  void build_procedural(const ProjectionSpec& spec, bool skip_self, double dt_ms,
                        const CounterRng& rng, const std::string& what);
  /// A procedural projection's rows on the host (tests): row pointers, then per synapse.
  void draw_rows(std::vector<std::uint64_t>* rp, std::vector<std::uint32_t>* tg,
                 std::vector<float>* w, std::vector<int>* d) const;
};

}  // namespace snn::sim
