// How a projection is wired and weighted: the connectivity rules (NEST's names) and the
// distributions of weights and delays. Plain descriptions; projection.cu builds them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/synapses/plasticity.h"

namespace snn::sim {

enum class Rule {
  FixedInDegree,
  FixedOutDegree,
  FixedProbability,
  OneToOne,
  AllToAll,
  List,
  FixedTotalNumber
};

/// Which source connects to which target.
struct Connectivity {
  Rule rule = Rule::AllToAll;
  /// FixedInDegree / FixedOutDegree: synapses per target / source; FixedTotalNumber: synapses in
  /// all (NEST's N), with source and target of each drawn uniformly
  std::int64_t degree = 0;
  double probability = 0;       ///< FixedProbability: each pair independently
  bool allow_autapses = true;   ///< i -> i when source and target are one population (NEST default)
  bool allow_multapses = true;  ///< repeated pairs under the fixed-degree rules (NEST default)
  std::vector<std::uint32_t> sources, targets;  ///< List: pairs (population-local indices)
  std::vector<float> weights;     ///< List: one weight per pair (optional; overrides the weight)
  std::vector<double> delays_ms;  ///< List: one delay per pair (optional; overrides the delay)

  static Connectivity fixed_indegree(std::int64_t k) { return make(Rule::FixedInDegree, k, 0); }
  static Connectivity fixed_outdegree(std::int64_t k) { return make(Rule::FixedOutDegree, k, 0); }
  static Connectivity fixed_total_number(std::int64_t n) {
    return make(Rule::FixedTotalNumber, n, 0);
  }
  static Connectivity fixed_probability(double p) { return make(Rule::FixedProbability, 0, p); }
  static Connectivity one_to_one() { return make(Rule::OneToOne, 0, 0); }
  static Connectivity all_to_all() { return make(Rule::AllToAll, 0, 0); }
  static Connectivity list(std::vector<std::uint32_t> src, std::vector<std::uint32_t> tgt) {
    Connectivity c = make(Rule::List, 0, 0);
    c.sources = std::move(src);
    c.targets = std::move(tgt);
    return c;
  }

 private:
  static Connectivity make(Rule r, std::int64_t k, double p) {
    Connectivity c;
    c.rule = r;
    c.degree = k;
    c.probability = p;
    return c;
  }
};

/// A value per synapse: a constant (stored once per projection), uniform in [a, b), or normal
/// with mean a and standard deviation b. Delays: constant, or uniform over the steps in [a, b].
struct Distribution {
  enum Kind { Constant, Uniform, Normal };
  Kind kind = Constant;
  double a = 0, b = 0;
  static Distribution constant(double v) { return Distribution{Constant, v, 0}; }
  static Distribution uniform(double lo, double hi) { return Distribution{Uniform, lo, hi}; }
  static Distribution normal(double mean, double sd) { return Distribution{Normal, mean, sd}; }
};

/// A projection between two populations (by name).
struct ProjectionSpec {
  std::string source, target;
  Connectivity connectivity;
  Distribution weight = Distribution::constant(0.0);    ///< mV (delta synapses) or pA (current)
  Distribution delay_ms = Distribution::constant(1.0);  ///< ms, multiples of dt, >= dt
  SynapseSpec synapse;  ///< static (default), stdp_synapse or tsodyks2_synapse
  /// Nothing stored per synapse: a spike's targets, weights and delays are regenerated from the
  /// seed (random rules with a projection-wide or random weight and delay; see random_rows.h).
  bool procedural = false;
};

const char* rule_name(Rule r);

}  // namespace snn::sim
