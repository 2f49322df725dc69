// Projection builders: each rule's defining property, rows sorted by target, reproducibility,
// autapses and multapses, weights and delays per synapse.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <tuple>

#include "sim/core/errors.h"
#include "sim/synapses/projection.h"

namespace snn::sim {
namespace {

constexpr double kDt = 0.1;

Projection build(Connectivity c, std::uint32_t n_src, std::uint32_t n_tgt, bool same = false,
                 std::uint64_t seed = 7, Distribution w = Distribution::constant(0.5),
                 Distribution d = Distribution::constant(1.0)) {
  ProjectionSpec s;
  s.source = "a";
  s.target = same ? "a" : "b";
  s.connectivity = std::move(c);
  s.weight = w;
  s.delay_ms = d;
  return Projection(s, n_src, n_tgt, same, kDt, CounterRng{seed, 3}, 0, same ? 0 : 1);
}

/// Rows as (source, target) pairs; checks each row is sorted.
std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs_of(const Projection& p) {
  auto rows = p.row_ptr_host();
  auto tg = p.targets_host();
  EXPECT_EQ(rows.size(), p.n_source() + 1u);
  EXPECT_EQ(rows.back(), tg.size());
  std::vector<std::pair<std::uint32_t, std::uint32_t>> out;
  for (std::uint32_t s = 0; s < p.n_source(); ++s) {
    EXPECT_TRUE(std::is_sorted(tg.begin() + rows[s], tg.begin() + rows[s + 1])) << "row " << s;
    for (auto m = rows[s]; m < rows[s + 1]; ++m) {
      EXPECT_LT(tg[m], p.n_target());
      out.emplace_back(s, tg[m]);
    }
  }
  return out;
}

TEST(Projection, FixedInDegreeGivesEveryTargetExactlyK) {
  Projection p = build(Connectivity::fixed_indegree(30), 500, 200);
  auto pairs = pairs_of(p);
  EXPECT_EQ(p.synapses(), 200u * 30u);
  std::vector<int> in(200, 0);
  for (auto& [s, t] : pairs) ++in[t];
  for (int k : in) EXPECT_EQ(k, 30);
  // Sources spread over the whole source population.
  std::set<std::uint32_t> sources;
  for (auto& [s, t] : pairs) sources.insert(s);
  EXPECT_GT(sources.size(), 450u);
}

TEST(Projection, FixedOutDegreeGivesEverySourceExactlyK) {
  Projection p = build(Connectivity::fixed_outdegree(25), 300, 70000);  // 32-bit targets
  auto rows = p.row_ptr_host();
  for (std::uint32_t s = 0; s < 300; ++s) EXPECT_EQ(rows[s + 1] - rows[s], 25u);
  pairs_of(p);
}

// NEST's fixed_total_number: exactly N synapses, each with a uniform source and target, so the
// in-degrees are multinomial (mean N / n_target, variance N / n_target (1 - 1 / n_target)) and so
// are the out-degrees.
TEST(Projection, FixedTotalNumberHasExactlyNSynapsesWithMultinomialDegrees) {
  const std::uint32_t n_src = 400, n_tgt = 3000;
  const std::uint64_t total = 60000;
  Projection p = build(Connectivity::fixed_total_number(total), n_src, n_tgt);
  auto pairs = pairs_of(p);
  ASSERT_EQ(p.synapses(), total);
  ASSERT_EQ(pairs.size(), total);
  auto moments = [](const std::vector<double>& x) {
    double mean = std::accumulate(x.begin(), x.end(), 0.0) / x.size(), var = 0;
    for (double v : x) var += (v - mean) * (v - mean);
    return std::pair{mean, var / (x.size() - 1)};
  };
  std::vector<double> in(n_tgt, 0.0), out(n_src, 0.0);
  for (auto& [s, t] : pairs) ++in[t], ++out[s];
  auto [in_mean, in_var] = moments(in);
  auto [out_mean, out_var] = moments(out);
  const double in_want = static_cast<double>(total) / n_tgt;
  const double out_want = static_cast<double>(total) / n_src;
  EXPECT_DOUBLE_EQ(in_mean, in_want);  // exactly N synapses
  // Variances within 15% (their relative sd is ~2.6% for the in-degrees, ~7% for the out-degrees).
  EXPECT_NEAR(in_var, in_want * (1 - 1.0 / n_tgt), 0.15 * in_want);
  EXPECT_NEAR(out_var, out_want * (1 - 1.0 / n_src), 0.2 * out_want);
  EXPECT_DOUBLE_EQ(out_mean, out_want);
  // Another seed, another network; N = 0, none.
  EXPECT_NE(pairs_of(build(Connectivity::fixed_total_number(total), n_src, n_tgt, false, 8)),
            pairs);
  EXPECT_EQ(build(Connectivity::fixed_total_number(0), n_src, n_tgt).synapses(), 0u);
}

// A process that owns a block of the targets draws only their synapses, and they are the ones
// (with the same weights and delays) of the whole projection: the per-target counts come from a
// tree over target indices, not over blocks.
TEST(Projection, FixedTotalNumberIsTheSameForAnySplitOfTheTargets) {
  ProjectionSpec s;
  s.source = "a";
  s.target = "b";
  s.connectivity = Connectivity::fixed_total_number(25000);
  s.weight = Distribution::normal(1.0, 0.5);
  s.delay_ms = Distribution::uniform(0.1, 2.0);
  using Synapse = std::tuple<std::uint32_t, std::uint32_t, float, int>;
  auto synapses = [&](std::uint32_t lo, std::uint32_t hi) {
    Projection p(s, 300, 1001, false, kDt, CounterRng{5, 2}, 0, 1, lo, hi);
    auto rows = p.row_ptr_host();
    auto tg = p.targets_host();
    auto w = p.weights_host();
    auto d = p.delays_host();
    std::vector<Synapse> out;
    for (std::uint32_t src = 0; src < 300; ++src)
      for (auto m = rows[src]; m < rows[src + 1]; ++m) {
        EXPECT_TRUE(tg[m] >= lo && tg[m] < hi);
        out.emplace_back(src, tg[m], w[m], d[m]);
      }
    return out;
  };
  std::vector<Synapse> whole = synapses(0, 1001);
  ASSERT_EQ(whole.size(), 25000u);
  std::sort(whole.begin(), whole.end());
  for (auto cuts :
       {std::vector<std::uint32_t>{0, 500, 1001}, std::vector<std::uint32_t>{0, 1, 2, 777, 1001},
        std::vector<std::uint32_t>{0, 333, 334, 667, 1001}}) {
    std::vector<Synapse> joined;
    for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
      auto part = synapses(cuts[i], cuts[i + 1]);
      joined.insert(joined.end(), part.begin(), part.end());
    }
    std::sort(joined.begin(), joined.end());
    EXPECT_EQ(joined, whole) << "split into " << cuts.size() - 1 << " blocks";
  }
}

TEST(Projection, FixedTotalNumberAutapsesAndItsErrors) {
  Connectivity no_self = Connectivity::fixed_total_number(5000);
  no_self.allow_autapses = false;
  auto pairs = pairs_of(build(no_self, 50, 50, true));
  EXPECT_EQ(pairs.size(), 5000u);
  for (auto& [s, t] : pairs) EXPECT_NE(s, t);
  Connectivity distinct = Connectivity::fixed_total_number(10);
  distinct.allow_multapses = false;
  try {
    build(distinct, 50, 50);
    ADD_FAILURE() << "no error";
  } catch (const InvalidParameter& e) {
    EXPECT_NE(std::string(e.what()).find("projection a -> b: fixed_total_number draws its N pairs "
                                         "with repetition"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(build(Connectivity::fixed_total_number(-1), 5, 5), InvalidParameter);
  EXPECT_THROW(build(Connectivity::fixed_total_number(3), 0, 5), InvalidParameter);
}

TEST(Projection, FixedProbabilityHasTheExpectedCount) {
  const double prob = 0.1;
  Projection p = build(Connectivity::fixed_probability(prob), 400, 500);
  pairs_of(p);
  double n = 400.0 * 500.0, mean = n * prob, sd = std::sqrt(n * prob * (1 - prob));
  EXPECT_NEAR(static_cast<double>(p.synapses()), mean, 5 * sd);
  EXPECT_EQ(build(Connectivity::fixed_probability(0.0), 10, 10).synapses(), 0u);
  EXPECT_EQ(build(Connectivity::fixed_probability(1.0), 10, 10).synapses(), 100u);
}

TEST(Projection, OneToOneAllToAllAndLists) {
  auto one = pairs_of(build(Connectivity::one_to_one(), 5, 5));
  EXPECT_EQ(one, (std::vector<std::pair<std::uint32_t, std::uint32_t>>{
                     {0, 0}, {1, 1}, {2, 2}, {3, 3}, {4, 4}}));
  EXPECT_EQ(build(Connectivity::all_to_all(), 4, 6).synapses(), 24u);
  EXPECT_EQ(build(Connectivity::all_to_all(), 4, 4, true).synapses(), 16u);
  Connectivity no_self = Connectivity::all_to_all();
  no_self.allow_autapses = false;
  EXPECT_EQ(build(no_self, 4, 4, true).synapses(), 12u);

  Connectivity list = Connectivity::list({2, 0, 2, 1}, {1, 3, 0, 3});
  list.weights = {0.1f, 0.2f, 0.3f, 0.4f};
  list.delays_ms = {0.1, 0.2, 0.3, 0.4};
  Projection p = build(list, 3, 4);
  EXPECT_EQ(pairs_of(p),
            (std::vector<std::pair<std::uint32_t, std::uint32_t>>{{0, 3}, {1, 3}, {2, 0}, {2, 1}}));
  EXPECT_EQ(p.weights_host(), (std::vector<float>{0.2f, 0.4f, 0.3f, 0.1f}));
  EXPECT_EQ(p.delays_host(), (std::vector<int>{2, 4, 3, 1}));
  EXPECT_EQ(p.min_delay(), 1);
  EXPECT_EQ(p.max_delay(), 4);
}

TEST(Projection, SameSeedSameSynapsesOtherSeedOthers) {
  auto a = pairs_of(build(Connectivity::fixed_indegree(10), 100, 100, false, 1));
  auto b = pairs_of(build(Connectivity::fixed_indegree(10), 100, 100, false, 1));
  auto c = pairs_of(build(Connectivity::fixed_indegree(10), 100, 100, false, 2));
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(Projection, AutapsesAndMultapsesCanBeExcluded) {
  for (Rule r : {Rule::FixedInDegree, Rule::FixedOutDegree, Rule::FixedProbability}) {
    Connectivity c;
    c.rule = r;
    c.degree = 15;
    c.probability = 0.5;
    c.allow_autapses = false;
    c.allow_multapses = false;
    auto pairs = pairs_of(build(c, 20, 20, true));
    std::set<std::pair<std::uint32_t, std::uint32_t>> unique(pairs.begin(), pairs.end());
    EXPECT_EQ(unique.size(), pairs.size()) << rule_name(r);
    for (auto& [s, t] : pairs) EXPECT_NE(s, t) << rule_name(r);
  }
  // With multapses allowed, a small pool repeats partners.
  auto pairs = pairs_of(build(Connectivity::fixed_indegree(15), 20, 20, true));
  std::set<std::pair<std::uint32_t, std::uint32_t>> unique(pairs.begin(), pairs.end());
  EXPECT_LT(unique.size(), pairs.size());
  Connectivity too_many = Connectivity::fixed_indegree(20);
  too_many.allow_autapses = false;
  too_many.allow_multapses = false;
  EXPECT_THROW(build(too_many, 20, 20, true), InvalidParameter);
}

TEST(Projection, WeightsAndDelaysPerSynapse) {
  Projection p = build(Connectivity::fixed_indegree(50), 200, 200, false, 3,
                       Distribution::normal(1.0, 0.5), Distribution::uniform(0.5, 1.5));
  auto w = p.weights_host();
  auto d = p.delays_host();
  double mean = std::accumulate(w.begin(), w.end(), 0.0) / w.size(), var = 0;
  for (float x : w) var += (x - mean) * (x - mean);
  var /= w.size();
  EXPECT_NEAR(mean, 1.0, 0.02);
  EXPECT_NEAR(std::sqrt(var), 0.5, 0.02);
  std::vector<int> seen(20, 0);
  for (int k : d) {
    ASSERT_GE(k, 5);
    ASSERT_LE(k, 15);
    ++seen[k];
  }
  for (int k = 5; k <= 15; ++k) EXPECT_GT(seen[k], 500) << k;
  EXPECT_EQ(p.min_delay(), 5);
  EXPECT_EQ(p.max_delay(), 15);
}

TEST(Projection, BadDelaysAndRulesSayWhatIsWrong) {
  auto message = [](auto f) {
    try {
      f();
    } catch (const InvalidParameter& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message([] {
              build(Connectivity::one_to_one(), 3, 3, false, 1, Distribution::constant(1),
                    Distribution::constant(0.05));
            }),
            "projection a -> b delay 0.05 ms is shorter than dt 0.1 ms");
  EXPECT_EQ(message([] {
              build(Connectivity::one_to_one(), 3, 3, false, 1, Distribution::constant(1),
                    Distribution::constant(0.25));
            }),
            "projection a -> b delay 0.25 ms is not a multiple of dt 0.1 ms");
  EXPECT_EQ(message([] { build(Connectivity::one_to_one(), 3, 4); }),
            "projection a -> b: one_to_one needs equal sizes, got 3 and 4");
  EXPECT_EQ(message([] { build(Connectivity::fixed_probability(1.5), 3, 4); }),
            "projection a -> b: probability must be in [0, 1], got 1.5");
  EXPECT_EQ(message([] {
              build(Connectivity::list({0, 5}, {1, 1}), 3, 4);
            }),
            "projection a -> b: list entry 1: source 5 out of range [0, 3)");
}

Projection build_procedural(Connectivity c, std::uint32_t n_src, std::uint32_t n_tgt, bool same,
                            Distribution w, Distribution d, bool procedural,
                            SynapseSpec syn = SynapseSpec{}) {
  ProjectionSpec s;
  s.source = "a";
  s.target = same ? "a" : "b";
  s.connectivity = std::move(c);
  s.weight = w;
  s.delay_ms = d;
  s.synapse = syn;
  s.procedural = procedural;
  return Projection(s, n_src, n_tgt, same, kDt, CounterRng{11, 5}, 0, same ? 0 : 1);
}

// A procedural projection regenerates the stored rows: same targets, weights and delays, synapse
// by synapse, for every rule that is drawn per source (several chunks of the Bernoulli walk:
// 9000 targets at p = 0.1 are three 4096-target chunks).
TEST(Procedural, RowsEqualTheStoredRowsSynapseBySynapse) {
  Connectivity no_self_unique = Connectivity::fixed_outdegree(40);
  no_self_unique.allow_autapses = false;
  no_self_unique.allow_multapses = false;
  Connectivity no_self_p = Connectivity::fixed_probability(0.2);
  no_self_p.allow_autapses = false;
  struct Case {
    Connectivity c;
    std::uint32_t n_src, n_tgt;
    bool same;
  };
  for (const Case& k :
       {Case{Connectivity::fixed_probability(0.1), 300, 9000, false},
        Case{no_self_p, 500, 500, true}, Case{Connectivity::fixed_outdegree(60), 400, 70000, false},
        Case{no_self_unique, 300, 300, true}, Case{Connectivity::all_to_all(), 30, 50, false}}) {
    for (auto [w, d] : {std::pair{Distribution::normal(1.0, 0.5), Distribution::uniform(0.5, 2.0)},
                        std::pair{Distribution::uniform(-1.0, 1.0), Distribution::constant(1.0)},
                        std::pair{Distribution::constant(0.3), Distribution::constant(0.2)}}) {
      Projection stored = build_procedural(k.c, k.n_src, k.n_tgt, k.same, w, d, false);
      Projection proc = build_procedural(k.c, k.n_src, k.n_tgt, k.same, w, d, true);
      const std::string what = rule_name(k.c.rule);
      EXPECT_FALSE(stored.procedural());
      EXPECT_TRUE(proc.procedural());
      EXPECT_EQ(proc.bytes(), 0u) << what;
      EXPECT_GT(stored.synapses(), 0u) << what;
      ASSERT_EQ(proc.row_ptr_host(), stored.row_ptr_host()) << what;
      ASSERT_EQ(proc.targets_host(), stored.targets_host()) << what;
      ASSERT_EQ(proc.weights_host(), stored.weights_host()) << what;
      ASSERT_EQ(proc.delays_host(), stored.delays_host()) << what;
      EXPECT_EQ(proc.min_delay(), stored.min_delay());
      EXPECT_EQ(proc.max_delay(), stored.max_delay());
      // The expected count of a Bernoulli projection, the exact one of the degree rules.
      EXPECT_NEAR(static_cast<double>(proc.synapses()), static_cast<double>(stored.synapses()),
                  4 * std::sqrt(static_cast<double>(stored.synapses())) + 1)
          << what;
    }
  }
}

// Fixed in-degree is drawn per target, so a source's row cannot be drawn alone: the procedural
// form connects each pair with probability K / sources. In-degrees are then Binomial(N, K / N):
// mean K, variance K (1 - K / N); the stored form gives exactly K to every target.
TEST(Procedural, FixedInDegreeHasBinomialInDegreesWithMeanK) {
  const std::uint32_t n_src = 2000, n_tgt = 3000, k = 100;
  Projection p = build_procedural(Connectivity::fixed_indegree(k), n_src, n_tgt, false,
                                  Distribution::constant(0.1), Distribution::constant(1.0), true);
  EXPECT_EQ(p.synapses(), static_cast<std::uint64_t>(k) * n_tgt);  // expected
  auto rows = p.row_ptr_host();
  auto tg = p.targets_host();
  std::vector<double> in(n_tgt, 0.0);
  for (auto t : tg) in[t] += 1;
  double mean = std::accumulate(in.begin(), in.end(), 0.0) / n_tgt, var = 0;
  for (double x : in) var += (x - mean) * (x - mean);
  var /= n_tgt - 1;
  const double q = static_cast<double>(k) / n_src;
  // Mean within 4 standard errors; variance within 15% of K (1 - q) (its relative sd is ~2.6%).
  EXPECT_NEAR(mean, k, 4 * std::sqrt(k * (1 - q) / n_tgt));
  EXPECT_NEAR(var, k * (1 - q), 0.15 * k * (1 - q));
  EXPECT_GT(*std::max_element(in.begin(), in.end()), k);  // not a fixed in-degree
  EXPECT_EQ(rows.back(), tg.size());
  // Deterministic: built again, the same rows.
  Projection again =
      build_procedural(Connectivity::fixed_indegree(k), n_src, n_tgt, false,
                       Distribution::constant(0.1), Distribution::constant(1.0), true);
  EXPECT_EQ(again.targets_host(), tg);
}

// fixed_total_number is drawn per target too: procedurally each pair with probability N / pairs
// (the count is then Binomial(pairs, N / pairs), mean N).
TEST(Procedural, FixedTotalNumberConnectsEachPairWithProbabilityNOverPairs) {
  const std::uint32_t n_src = 500, n_tgt = 4000;
  const std::uint64_t total = 100000;
  Projection p = build_procedural(Connectivity::fixed_total_number(total), n_src, n_tgt, false,
                                  Distribution::constant(0.1), Distribution::constant(1.0), true);
  EXPECT_TRUE(p.procedural());
  EXPECT_EQ(p.synapses(), total);  // expected
  const double drawn = static_cast<double>(p.targets_host().size());
  EXPECT_NEAR(drawn, static_cast<double>(total), 4 * std::sqrt(static_cast<double>(total)));
  EXPECT_THROW(build_procedural(Connectivity::fixed_total_number(3000), 50, 50, false,
                                Distribution::constant(0.1), Distribution::constant(1.0), true),
               InvalidParameter);  // more than the 2500 pairs
}

TEST(Procedural, ListsOneToOneAndPlasticSynapsesCannotBeProcedural) {
  auto message = [](auto f) {
    try {
      f();
    } catch (const InvalidParameter& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  Connectivity list = Connectivity::list({0, 1}, {1, 2});
  list.weights = {0.5f, 0.25f};
  const std::string m = message([&] {
    build_procedural(list, 3, 3, false, Distribution::constant(0), Distribution::constant(1), true);
  });
  EXPECT_NE(m.find("projection a -> b"), std::string::npos) << m;
  EXPECT_NE(m.find("cannot be procedural"), std::string::npos) << m;
  EXPECT_NE(message([&] {
              build_procedural(Connectivity::one_to_one(), 3, 3, false, Distribution::constant(1),
                               Distribution::constant(1), true);
            }).find("one_to_one is not random"),
            std::string::npos);
  SynapseSpec stdp;
  stdp.model = SynapseModel::Stdp;
  EXPECT_NE(message([&] {
              build_procedural(Connectivity::fixed_outdegree(2), 3, 3, false,
                               Distribution::constant(1), Distribution::constant(1), true, stdp);
            }).find("plastic synapse keeps a weight per synapse"),
            std::string::npos);
}

}  // namespace
}  // namespace snn::sim
