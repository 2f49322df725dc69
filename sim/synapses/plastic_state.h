// The per-synapse state of a plastic projection (plasticity.h) and the postsynaptic spike
// archive of a population, owned on the device. Only plastic projections store per-synapse
// weights this way; static ones keep the projection's (possibly single) weight.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/core/device_vector.h"
#include "sim/core/errors.h"
#include "sim/synapses/plasticity.h"
#include "sim/synapses/projection.h"

namespace snn::sim {

/// The archive of one population's spikes for STDP.
class PostArchive {
 public:
  PostArchive(std::size_t n, double tau_minus_ms, double dt_ms)
      : tau_minus_(tau_minus_ms),
        ring_(n * PostArchiveView::kSlots, PostSpike{0, 0.0f}),
        count_(n, 0),
        overflow_(1, 0),
        decay_(dt_ms / tau_minus_ms) {}
  double tau_minus() const { return tau_minus_; }
  PostArchiveView view() {
    return PostArchiveView{raw(ring_), raw(count_), raw(overflow_), decay_.view()};
  }
  bool overflowed() const { return to_std(overflow_)[0] != 0; }

 private:
  double tau_minus_;
  DeviceVector<PostSpike> ring_;
  DeviceVector<std::uint32_t> count_;
  DeviceVector<std::uint32_t> overflow_;
  ExpTable decay_;
};

/// Per-synapse weights and traces of one plastic projection.
class PlasticState {
 public:
  /// `weights`: the projection's initial weights, one per synapse.
  PlasticState(const SynapseSpec& s, const std::vector<float>& weights, double dt_ms,
               const std::string& what)
      : spec_(s), dt_(dt_ms) {
    const std::size_t n = weights.size();
    // Decay tables (exp_table.h): built once, read at every presynaptic spike.
    if (s.model == SynapseModel::Stdp) plus_ = ExpTable(dt_ms / s.stdp.tau_plus);
    if (s.model == SynapseModel::Stdp) {
      const StdpParams& p = s.stdp;
      require(p.tau_plus > 0, what + ": tau_plus must be > 0 ms, got " + num(p.tau_plus));
      require(p.tau_minus > 0, what + ": tau_minus must be > 0 ms, got " + num(p.tau_minus));
      require(p.w_max > 0, what + ": Wmax must be > 0, got " + num(p.w_max));
      require(p.lambda >= 0, what + ": lambda must be >= 0, got " + num(p.lambda));
      for (float w : weights)
        if (!(w >= 0 && w <= p.w_max))  // the message only when needed: millions of synapses
          throw InvalidParameter(what + ": stdp_synapse weights must lie in [0, Wmax = " +
                                 num(p.w_max) + "], got " + num(w));
      trace_.assign(n, 0.0f);
    } else {
      const Tsodyks2Params& p = s.tsodyks2;
      require(p.u_0 >= 0 && p.u_0 <= 1, what + ": U must be in [0, 1], got " + num(p.u_0));
      require(p.u >= 0 && p.u <= 1, what + ": u must be in [0, 1], got " + num(p.u));
      require(p.x >= 0 && p.x <= 1, what + ": x must be in [0, 1], got " + num(p.x));
      require(p.tau_rec > 0, what + ": tau_rec must be > 0 ms, got " + num(p.tau_rec));
      require(p.tau_fac >= 0, what + ": tau_fac must be >= 0 ms, got " + num(p.tau_fac));
      trace_.assign(n, static_cast<float>(p.u));
      x_.assign(n, static_cast<float>(p.x));
      rec_ = ExpTable(dt_ms / p.tau_rec);
      if (p.tau_fac > 0) fac_ = ExpTable(dt_ms / p.tau_fac);
    }
    weight_ = to_device(weights);
    t_last_.assign(n, -1);
  }
  SynapseModel model() const { return spec_.model; }
  const SynapseSpec& spec() const { return spec_; }
  std::vector<float> weights() const { return to_std(weight_); }
  void set_weights(const std::vector<float>& w) { weight_ = to_device(w); }
  PlasticView view(const PostArchiveView& post) {
    PlasticView v;
    v.model = static_cast<int>(spec_.model);
    v.weight = raw(weight_);
    v.trace = raw(trace_);
    v.x = x_.empty() ? nullptr : raw(x_);
    v.t_last = raw(t_last_);
    v.post = post;
    const StdpParams& p = spec_.stdp;
    v.plus = plus_.view();
    v.lambda = p.lambda, v.alpha = p.alpha, v.mu_plus = p.mu_plus, v.mu_minus = p.mu_minus;
    v.w_max = p.w_max;
    const Tsodyks2Params& q = spec_.tsodyks2;
    v.rec = rec_.view();
    v.fac = fac_.view();
    v.facilitates = q.tau_fac > 0;
    v.u_0 = q.u_0;
    return v;
  }

 private:
  SynapseSpec spec_;
  double dt_;
  DeviceVector<float> weight_, trace_, x_;
  DeviceVector<std::int32_t> t_last_;
  ExpTable plus_, rec_, fac_;
};

/// The plastic state of every plastic projection (null for static ones) and the spike archive of
/// every population that STDP synapses target (one tau_minus per population, as NEST keeps it in
/// the neuron).
inline void build_plasticity(const std::vector<ProjectionSpec>& specs,
                             const std::vector<std::unique_ptr<Projection>>& projections,
                             const std::vector<std::uint32_t>& pop_sizes, double dt_ms,
                             std::vector<std::unique_ptr<PlasticState>>& plastic,
                             std::vector<std::unique_ptr<PostArchive>>& archives) {
  plastic.clear();
  plastic.resize(projections.size());
  archives.clear();
  archives.resize(pop_sizes.size());
  for (std::size_t q = 0; q < projections.size(); ++q) {
    const SynapseSpec& s = specs[q].synapse;
    if (s.model == SynapseModel::Static) continue;
    const std::string what = std::string(synapse_model_name(s.model)) + " projection " +
                             specs[q].source + " -> " + specs[q].target;
    plastic[q] = std::make_unique<PlasticState>(s, projections[q]->weights_host(), dt_ms, what);
    if (s.model != SynapseModel::Stdp) continue;
    const int tp = projections[q]->view().target_pop;
    if (!archives[tp])
      archives[tp] = std::make_unique<PostArchive>(pop_sizes[tp], s.stdp.tau_minus, dt_ms);
    require(archives[tp]->tau_minus() == s.stdp.tau_minus,
            what + ": tau_minus " + num(s.stdp.tau_minus) + " ms differs from " +
                num(archives[tp]->tau_minus()) + " ms of another stdp_synapse projection into " +
                specs[q].target + " (one tau_minus per target population)");
  }
}

}  // namespace snn::sim
