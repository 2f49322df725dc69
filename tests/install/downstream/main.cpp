// Uses the installed libraries: a one-neuron simulation with a known answer (a 500 pA current
// into lif_delta, V_inf 40 mV: spikes at 13.9, 29.8 and 45.7 ms in 50 ms) and a 784-10
// classifier (7,840 weights).
#include <cstdio>

#include "learning/model/fc_network.h"
#include "sim/network.h"

int main() {
  snn::sim::SimConfig config;
  snn::sim::Network net(config);
  snn::sim::PopulationSpec pop;
  pop.name = "n";
  pop.size = 1;
  snn::sim::LifDelta::Params p;
  p.i_e = 500.0;
  p.v_reset = 0.0;
  pop.params = p;
  net.add_population(pop);
  net.run(50.0);
  std::printf("spikes %llu\n", static_cast<unsigned long long>(net.spike_count("n")));

  auto model = snn::learning::build_fc_classifier<float>(784, {}, 10, {}, 0);
  long n = 0;
  for (auto* param : model->parameters()) n += param->value.size();
  std::printf("parameters %ld\n", n);
  return 0;
}
