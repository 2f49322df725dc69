// Built-in networks: Brunel's balanced network and the sparse-activity network.
#include "sim/builtin/networks.h"

#include <string>

#include "sim/core/errors.h"
#include "sim/neurons/neuron_model.h"

namespace snn::sim {

namespace {
LifDelta::Params brunel_neuron(double tau_m, double v_th, double v_reset, double t_ref) {
  LifDelta::Params p;
  p.tau_m = tau_m;
  p.c_m = 1.0;  // pF, as NEST's example (no current is injected)
  p.e_l = 0.0;
  p.v_th = v_th;
  p.v_reset = v_reset;
  p.t_ref = t_ref;
  return p;
}
}  // namespace

void add_brunel(Network& net, const BrunelParams& p) {
  require(p.order >= 1, "order must be >= 1, got " + std::to_string(p.order));
  const std::int64_t ne = 4 * p.order, ni = p.order;
  const std::int64_t ce = ne / 10, ci = ni / 10;
  const double nu_th = p.v_th / (p.j * ce * p.tau_m);  // per ms
  const double p_rate = 1000.0 * p.eta * nu_th * ce;  // Hz
  const LifDelta::Params neuron = brunel_neuron(p.tau_m, p.v_th, p.v_reset, p.t_ref);
  for (auto [name, size] : {std::pair<const char*, std::int64_t>{"exc", ne}, {"inh", ni}}) {
    PopulationSpec s;
    s.name = name;
    s.size = size;
    s.params = neuron;
    s.v_init = VInit::uniform(0.0, p.v_th);
    net.add_population(s);
  }
  for (const char* target : {"exc", "inh"}) {
    for (auto [source, k, w] : {std::tuple<const char*, std::int64_t, double>{"exc", ce, p.j},
                                {"inh", ci, -p.g * p.j}}) {
      ProjectionSpec s;
      s.source = source;
      s.target = target;
      s.connectivity = Connectivity::fixed_indegree(k);
      s.weight = Distribution::constant(w);
      s.delay_ms = Distribution::constant(p.delay_ms);
      s.procedural = p.procedural;
      net.connect(s);
    }
    PoissonSpec drive;
    drive.target = target;
    drive.rate_hz = p_rate;
    drive.weight = p.j;
    drive.delay_ms = p.delay_ms;
    net.add_poisson(drive);
  }
}

void add_sparse(Network& net, const SparseParams& p) {
  require(p.n >= 1, "n must be >= 1, got " + std::to_string(p.n));
  require(p.k >= 0 && p.k <= p.n,
          "the number of driven neurons must be in [0, n], got " + std::to_string(p.k));
  PopulationSpec s;
  s.name = "neurons";
  s.size = p.n;
  s.params = brunel_neuron(20.0, 20.0, 10.0, 2.0);
  net.add_population(s);
  PoissonSpec drive;
  drive.target = "neurons";
  drive.first = 0;
  drive.count = p.k;
  drive.rate_hz = p.rate_hz;
  drive.weight = p.input_weight;
  net.add_poisson(drive);
  ProjectionSpec r;
  r.source = r.target = "neurons";
  r.connectivity = Connectivity::fixed_outdegree(p.outdegree);
  r.weight = Distribution::constant(p.j);
  r.delay_ms = Distribution::constant(p.delay_ms);
  r.procedural = p.procedural;
  net.connect(r);
}

}  // namespace snn::sim
