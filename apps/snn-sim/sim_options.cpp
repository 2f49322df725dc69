// Boost.Program_options with allow_long_disguise: "-order 2500" is "--order 2500"; guessing of
// prefixes is off. A negative number after an option is glued to it ("-j=-0.1") so that it
// reaches validation instead of being taken for an option.
#include "apps/snn-sim/sim_options.h"

#include <boost/program_options.hpp>
#include <cctype>
#include <sstream>

namespace snn::apps {

namespace po = boost::program_options;

namespace {
bool looks_negative_number(const std::string& s) {
  return s.size() >= 2 && s[0] == '-' &&
         (std::isdigit(static_cast<unsigned char>(s[1])) || s[1] == '.');
}
}  // namespace

std::vector<std::uint32_t> parse_id_list(const std::string& text, const std::string& option) {
  std::vector<std::uint32_t> out;
  std::stringstream ss(text);
  std::string part;
  auto number = [&](const std::string& s) {
    std::size_t used = 0;
    long long v = -1;
    try {
      v = std::stoll(s, &used);
    } catch (...) {
      used = 0;
    }
    if (used != s.size() || s.empty() || v < 0 || v > 0xffffffffll)
      throw SimUsageError("-" + option + ": '" + s + "' is not a neuron id");
    return static_cast<std::uint32_t>(v);
  };
  while (std::getline(ss, part, ',')) {
    if (part.empty()) continue;
    auto dash = part.find('-', 1);
    if (dash == std::string::npos) {
      out.push_back(number(part));
    } else {
      std::uint32_t a = number(part.substr(0, dash)), b = number(part.substr(dash + 1));
      if (b < a) throw SimUsageError("-" + option + ": empty range '" + part + "'");
      for (std::uint64_t i = a; i <= b; ++i) out.push_back(static_cast<std::uint32_t>(i));
    }
  }
  if (out.empty()) throw SimUsageError("-" + option + ": no neuron ids in '" + text + "'");
  return out;
}

SimArgs parse_sim_args(int argc, const char* const argv[]) {
  SimArgs a;
  std::vector<std::string> tokens;
  for (int i = 1; i < argc; ++i) {
    std::string t = argv[i];
    if (looks_negative_number(t) && !tokens.empty() && tokens.back().size() > 1 &&
        tokens.back()[0] == '-' && tokens.back().find('=') == std::string::npos &&
        !looks_negative_number(tokens.back()))
      tokens.back() += "=" + t;
    else
      tokens.push_back(t);
  }
  double j = 0, t = 0, dt = 0;
  std::uint64_t seed = 0;
  po::options_description opts("snn-sim options (single or double dash)");
  opts.add_options()("help,h", "print this help and exit")(
      "network", po::value<std::string>(&a.network)->default_value("brunel"),
      "brunel, sparse, or a network file (JSON, see examples/README.md)")(
      "order", po::value<std::int64_t>(&a.order)->default_value(2500),
      "brunel: NE = 4·order, NI = order")("g", po::value<double>(&a.g)->default_value(5.0, "5"),
                                          "brunel: relative inhibition")(
      "eta", po::value<double>(&a.eta)->default_value(2.0, "2"),
      "brunel: external rate / threshold rate")(
      "n", po::value<std::int64_t>(&a.n)->default_value(100000), "sparse: neurons")(
      "k", po::value<std::int64_t>(&a.k)->default_value(1000),
      "sparse: neurons driven by a Poisson source")(
      "rate", po::value<double>(&a.rate)->default_value(10.0, "10"), "sparse: input rate, Hz")(
      "outdegree", po::value<std::int64_t>(&a.outdegree)->default_value(100),
      "sparse: synapses per neuron")(
      "procedural", po::bool_switch(&a.procedural),
      "brunel, sparse: procedural projections: no synapse stored, rows drawn again at each "
      "spike (brunel: each pair with p = C/N instead of a fixed in-degree)")(
      "j", po::value<double>(&j), "weight J, mV (brunel 0.1, sparse 0.2)")(
      "t", po::value<double>(&t), "biological time, ms (default 1000 or the file's t_stop)")(
      "dt", po::value<double>(&dt), "time step, ms (default 0.1 or the file's dt)")(
      "seed", po::value<std::uint64_t>(&seed),
      "seed of connectivity, sources and initial state (default 1)")(
      "threads", po::value<int>(&a.threads)->default_value(0), "CPU threads (0: all cores)")(
      "dry-run-ranks", po::value<int>(&a.dry_run_ranks)->default_value(0),
      "cost model: this process plays rank 0 of P (its share of the network), the other ranks' "
      "spikes are copies of its own; timings only, not the P-rank network's spikes")(
      "mode", po::value<std::string>(&a.mode)->default_value("event"),
      "event (event-driven) or clock (every neuron every step, a reference)")(
      "record-v", po::value<std::vector<std::string>>(&a.record_v)->composing(),
      "record V of these neurons at every step: POP:IDS or IDS (first population), e.g. "
      "exc:0-9,20")(
      "record-spikes", po::value<std::string>(&a.record_spikes),
      "populations whose spikes are recorded: all, none, or a comma list (default: the file's "
      "choice, else all)")("out", po::value<std::string>(&a.out),
                           "write spikes and voltages to this HDF5 file (SONATA layout)")(
      "summary", po::value<std::string>(&a.summary), "write the summary as JSON to this file")(
      "save-weights", po::value<std::string>(&a.save_weights),
      "write every projection's final weights to this HDF5 file")(
      "load-weights", po::value<std::string>(&a.load_weights),
      "initial weights of the plastic projections from this HDF5 file (as -save-weights writes)")(
      "device", po::value<std::string>(&a.device), "cpu or cuda (must match the build)")(
      "progress", po::value<std::string>(&a.progress)->default_value("auto"),
      "progress bar: auto (on a terminal), on, off")(
      "recover", po::value<std::string>(&a.recover),
      "turn the journal OUT.partial that a killed run left into the SONATA file OUT (or -out) "
      "and exit")("nir-dt", po::value<double>(&a.nir_dt)->default_value(1e-4, "1e-4"),
                  "NIR graphs: forward-Euler time step, s")(
      "nir-reset", po::value<std::string>(&a.nir_reset)->default_value("v_reset"),
      "NIR graphs: after a spike v = v_reset, or subtract (v -= v_threshold)")(
      "nir-threshold", po::value<std::string>(&a.nir_threshold)->default_value("gt"),
      "NIR graphs: spike when v > v_threshold (gt) or v >= v_threshold (ge, SpikingJelly)")(
      "input", po::value<std::string>(&a.input),
      "NIR graphs: SONATA spike file, /spikes/<Input node>/timestamps (ms) and node_ids")(
      "input-current", po::value<std::vector<std::string>>(&a.input_current)->composing(),
      "NIR graphs: NODE=VALUE, a constant value on every element of an Input node")(
      "data-dir", po::value<std::string>(&a.data_dir),
      "NIR classifier: MNIST-format folder; runs its test images, prints the accuracy")(
      "images", po::value<int>(&a.images)->default_value(0), "-data-dir: test images (0: all)")(
      "T", po::value<int>(&a.steps)->default_value(100), "-data-dir: steps per image");
  po::variables_map vm;
  try {
    auto style =
        (po::command_line_style::default_style | po::command_line_style::allow_long_disguise) &
        ~po::command_line_style::allow_guessing;
    po::parsed_options parsed = po::command_line_parser(tokens).options(opts).style(style).run();
    for (const std::string& extra :
         po::collect_unrecognized(parsed.options, po::include_positional))
      throw SimUsageError("unexpected argument '" + extra + "'");
    po::store(parsed, vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw SimUsageError(e.what());
  }
  std::ostringstream help;
  help << "snn-sim: event-driven simulation of spiking networks\n\n"
       << "  snn-sim -network brunel -order 2500 -t 1000 -threads 2 -out brunel.h5\n"
       << "  snn-sim -network sparse -n 100000 -k 1000 -rate 10\n"
       << "  snn-sim -network examples/network.json -record-v exc:0-4\n\n"
       << opts;
  a.help_text = help.str();
  a.help = vm.count("help") > 0;
  if (vm.count("j")) a.j = j;
  if (vm.count("t")) a.t_ms = t;
  if (vm.count("dt")) a.dt_ms = dt;
  if (vm.count("seed")) a.seed = seed;
  a.nir_dt_set = !vm["nir-dt"].defaulted();
  a.nir_threshold_set = !vm["nir-threshold"].defaulted();
  a.steps_set = !vm["T"].defaulted();
  if (a.mode != "event" && a.mode != "clock")
    throw SimUsageError("-mode '" + a.mode + "' is not one of: event, clock");
  if (a.progress != "auto" && a.progress != "on" && a.progress != "off")
    throw SimUsageError("-progress '" + a.progress + "' is not one of: auto, on, off");
  if (a.nir_reset != "v_reset" && a.nir_reset != "subtract")
    throw SimUsageError("-nir-reset '" + a.nir_reset + "' is not one of: v_reset, subtract");
  if (a.nir_threshold != "gt" && a.nir_threshold != "ge")
    throw SimUsageError("-nir-threshold '" + a.nir_threshold + "' is not one of: gt, ge");
  if (!(a.nir_dt > 0)) throw SimUsageError("-nir-dt must be > 0 s");
  if (a.steps < 1) throw SimUsageError("-T must be >= 1");
  if (a.images < 0) throw SimUsageError("-images must be >= 0");
  if (!a.device.empty() && a.device != "cpu" && a.device != "cuda")
    throw SimUsageError("-device '" + a.device + "' is not one of: cpu, cuda");
  for (const std::string& r : a.record_v) {
    auto colon = r.find(':');
    parse_id_list(colon == std::string::npos ? r : r.substr(colon + 1), "record-v");
  }
  return a;
}

}  // namespace snn::apps
