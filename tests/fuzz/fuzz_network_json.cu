// Fuzz target: a JSON network file through parse_network_json, then, when the network it
// describes is small (so that a valid file cannot exhaust memory), apply(), build() and ten steps.
// Anything but success or snn::Error is a bug.
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

#include "sim/core/errors.h"
#include "sim/network.h"
#include "sim/network_file.h"

namespace {
bool small(const snn::sim::NetworkDescription& d) {
  std::uint64_t neurons = 0;
  for (const auto& p : d.populations)
    neurons += std::visit([](const auto& s) { return static_cast<std::uint64_t>(s.size); }, p);
  if (neurons > 200 || d.projections.size() > 8) return false;
  const double dt = d.dt_ms.value_or(0.1);
  for (const auto& p : d.projections) {
    if (p.connectivity.degree > 1000) return false;
    for (double ms : {p.delay_ms.a, p.delay_ms.b})  // the delay ring holds delay / dt slots
      if (!(ms / dt < 1e4)) return false;
  }
  for (const auto& p : d.poisson)
    if (!(p.delay_ms / dt < 1e4)) return false;
  return true;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    snn::sim::NetworkDescription d = snn::sim::parse_network_json(text, "fuzz.json");
    if (!small(d)) return 0;
    snn::sim::SimConfig config;
    config.dt_ms = d.dt_ms.value_or(0.1);
    snn::sim::Network net(config);
    d.apply(net);
    net.build();
    net.run(10 * config.dt_ms);  // ten steps
  } catch (const snn::Error&) {
  }
  return 0;
}
