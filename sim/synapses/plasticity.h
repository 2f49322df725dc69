// Plastic synapses, updated at presynaptic spikes only (event-driven, as NEST): NEST's
// stdp_synapse and tsodyks2_synapse.
//
// stdp_synapse (pair-based, all-to-all; Guetig et al. 2003 weight dependence; NEST
// models/stdp_synapse.h): each synapse keeps the presynaptic trace K+ (+1 per presynaptic spike,
// decay tau_plus) and the step of its last presynaptic spike; each postsynaptic neuron keeps its
// spikes and the trace K- (+1 per spike, decay tau_minus) in a PostArchive. The dendritic delay is
// the synapse's whole delay d (NEST's convention): a postsynaptic spike at t_post is seen by the
// synapse at t_post + d. At a presynaptic spike at t_pre, with t_last the previous one:
//   for every t_post in (t_last - d, t_pre - d]:  w <- facilitate(w, K+(t_last)·e^{-(t_post + d -
//   t_last)/tau_plus}) then                                          w <- depress(w, K-(t_pre - d))
//   (spikes strictly before) facilitate(w, k) = Wmax·min(1, w/Wmax + lambda·(1 - w/Wmax)^mu_plus·k)
//   depress(w, k)    = Wmax·max(0, w/Wmax - alpha·lambda·(w/Wmax)^mu_minus·k)
// the spike is delivered with the new w, then K+ <- K+·e^{-(t_pre - t_last)/tau_plus} + 1.
// mu = 0: additive, mu = 1: multiplicative.
//
// tsodyks2_synapse (Tsodyks & Markram 1997 as Maass & Markram 2002, NEST
// models/tsodyks2_synapse.h): at each presynaptic spike, h after the previous one,
//   x <- 1 + (x - x·u - 1)·e^{-h/tau_rec},  u <- U + u·(1 - U)·e^{-h/tau_fac}  (0 if tau_fac = 0)
// (not at the first spike), and the spike is delivered with weight w·u·x.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>

#include "sim/core/config.h"
#include "sim/core/exp_table.h"
#include "sim/core/prefetch.h"

namespace snn::sim {

enum class SynapseModel { Static = 0, Stdp = 1, Tsodyks2 = 2 };

struct StdpParams {
  double tau_plus = 20.0;   ///< presynaptic trace time constant, ms, default 20
  double tau_minus = 20.0;  ///< postsynaptic trace time constant, ms, default 20 (NEST: a
                            ///< parameter of the target neuron; here one per target population)
  double lambda = 0.01;     ///< learning rate, default 0.01
  double alpha = 1.0;       ///< depression / facilitation ratio, default 1
  double mu_plus = 1.0;     ///< weight dependence of facilitation, default 1
  double mu_minus = 1.0;    ///< weight dependence of depression, default 1
  double w_max = 100.0;     ///< maximal weight (NEST's Wmax), default 100
};

struct Tsodyks2Params {
  double u_0 = 0.5;        ///< U: increment of u at a spike, in [0, 1], default 0.5
  double u = 0.5;          ///< initial u, in [0, 1], default U
  double x = 1.0;          ///< initial x, in [0, 1], default 1
  double tau_rec = 800.0;  ///< recovery time constant, ms, default 800
  double tau_fac = 0.0;    ///< facilitation time constant, ms, default 0 (none)
};

/// A projection's synapse model and its parameters.
struct SynapseSpec {
  SynapseModel model = SynapseModel::Static;
  StdpParams stdp;
  Tsodyks2Params tsodyks2;
};

inline const char* synapse_model_name(SynapseModel m) {
  switch (m) {
    case SynapseModel::Stdp:
      return "stdp_synapse";
    case SynapseModel::Tsodyks2:
      return "tsodyks2_synapse";
    default:
      return "static_synapse";
  }
}

/// One archived postsynaptic spike: its step and K- just after it, side by side, so that the
/// query of a presynaptic spike (which nearly always needs only the newest one or two) touches
/// one cache line of the target, not two.
struct PostSpike {
  std::int32_t step;
  float k_minus;
};

/// The postsynaptic spikes of one population, kept for STDP: per neuron a ring of its latest
/// kSlots spikes and a count of all its spikes.
struct PostArchiveView {
  static constexpr int kSlots = 64;
  PostSpike* ring;          ///< [n][kSlots]
  std::uint32_t* count;     ///< [n]
  std::uint32_t* overflow;  ///< set when a query needed a spike the ring no longer holds
  ExpTableView decay;       ///< exp(-k·dt/tau_minus)

  SNN_HD const PostSpike* spikes_of(std::uint32_t j) const {
    return ring + static_cast<std::uint64_t>(j) * kSlots;
  }
  SNN_HD void record(std::uint32_t j, int t) const {
    const std::uint32_t n = count[j];
    PostSpike* r = ring + static_cast<std::uint64_t>(j) * kSlots;
    double k = 1.0;
    if (n > 0) {
      const PostSpike& last = r[(n - 1) % kSlots];
      k += last.k_minus * decay(t - last.step);
    }
    r[n % kSlots] = PostSpike{t, static_cast<float>(k)};
    count[j] = n + 1;
  }
  /// Starts loading what a query for neuron j reads first: its newest spike.
  SNN_HD void prefetch(std::uint32_t j) const {
    const std::uint32_t n = count[j];
    snn::prefetch(spikes_of(j) + (n - 1) % kSlots);
  }
};

/// What delivery reads and writes of a plastic projection.
struct PlasticView {
  int model = 0;                   ///< SynapseModel
  float* weight = nullptr;         ///< per synapse: w (tsodyks2: the base weight)
  float* trace = nullptr;          ///< per synapse: K+ (stdp) or u (tsodyks2)
  float* x = nullptr;              ///< per synapse: x (tsodyks2)
  std::int32_t* t_last = nullptr;  ///< per synapse: step of the last presynaptic spike, -1: none
  PostArchiveView post{};          ///< the target population's spikes (stdp)
  ExpTableView plus;               ///< exp(-k·dt/tau_plus)
  double lambda = 0, alpha = 0, mu_plus = 0, mu_minus = 0, w_max = 0;
  ExpTableView rec, fac;     ///< exp(-k·dt/tau_rec), exp(-k·dt/tau_fac)
  bool facilitates = false;  ///< tau_fac > 0
  double u_0 = 0;

  /// x^mu, without pow() for the additive (0) and multiplicative (1) rules.
  SNN_HD static double power(double x, double mu) {
    return mu == 0.0 ? 1.0 : mu == 1.0 ? x : ::pow(x, mu);
  }
  SNN_HD double facilitate(double w, double k) const {
    double nw = w / w_max + lambda * power(1.0 - w / w_max, mu_plus) * k;
    return (nw < 1.0 ? nw : 1.0) * w_max;
  }
  SNN_HD double depress(double w, double k) const {
    double nw = w / w_max - alpha * lambda * power(w / w_max, mu_minus) * k;
    return (nw > 0.0 ? nw : 0.0) * w_max;
  }

  /// The weight synapse m (onto neuron j, delay d steps) delivers for a presynaptic spike at
  /// step t, its state updated.
  SNN_HD float on_spike(std::uint64_t m, std::uint32_t j, int t, int d) const {
    if (model == static_cast<int>(SynapseModel::Tsodyks2)) {
      double u = trace[m], xx = x[m];
      const int tl = t_last[m];
      if (tl >= 0) {
        const double xd = rec(t - tl);
        const double ud = facilitates ? fac(t - tl) : 0.0;
        xx = 1.0 + (xx - xx * u - 1.0) * xd;
        u = u_0 + u * (1.0 - u_0) * ud;
        trace[m] = static_cast<float>(u);
        x[m] = static_cast<float>(xx);
      }
      t_last[m] = t;
      return static_cast<float>(weight[m] * u * xx);
    }
    // stdp_synapse
    double w = weight[m];
    const int tl = t_last[m] < 0 ? 0 : t_last[m];  // NEST: t_lastspike starts at 0
    const double kp = trace[m];
    const std::uint32_t n = post.count[j];
    const PostSpike* ps = post.spikes_of(j);
    // The archived spikes, newest first: find the window (tl - d, t - d], then walk it oldest
    // first (facilitation in time order, as NEST).
    const std::uint32_t kept = n < PostArchiveView::kSlots ? n : PostArchiveView::kSlots;
    std::uint32_t newest = 0;  // how many of the newest are after t - d
    while (newest < kept && ps[(n - 1 - newest) % PostArchiveView::kSlots].step > t - d) ++newest;
    std::uint32_t end = newest;  // spikes [newest, end) from the newest are in the window
    while (end < kept && ps[(n - 1 - end) % PostArchiveView::kSlots].step > tl - d) ++end;
    if (end == kept && n > kept && kp != 0.0) *post.overflow = 1;
    for (std::uint32_t i = end; i > newest; --i) {
      const int tp = ps[(n - i) % PostArchiveView::kSlots].step;
      w = facilitate(w, kp * plus(tp + d - tl));
    }
    // K- just before t - d: from the newest spike strictly before it.
    double km = 0.0;
    std::uint32_t i = newest;
    while (i < kept && ps[(n - 1 - i) % PostArchiveView::kSlots].step >= t - d) ++i;
    if (i < kept) {
      const PostSpike& p = ps[(n - 1 - i) % PostArchiveView::kSlots];
      km = p.k_minus * post.decay(t - d - p.step);
    } else if (n > kept) {
      *post.overflow = 1;
    }
    w = depress(w, km);
    weight[m] = static_cast<float>(w);
    trace[m] = static_cast<float>(kp * plus(t - tl) + 1.0);
    t_last[m] = t;
    return static_cast<float>(w);
  }
};

}  // namespace snn::sim
