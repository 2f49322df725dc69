// snn-bench-nir: the 784-10 (or 784-H-10) LIF classifier of snn-train, from a checkpoint (or
// freshly initialised), exported to NIR (learning/export) and run on snn-sim's engine on the
// trainer's Poisson input spikes. Per test image: synaptic events (SynOps) against the dense
// network's multiply-accumulates, output spikes that differ from the trainer's, accuracy of both,
// and time: event-driven simulation vs the trainer's forward (batch 1 and batch 64). Prints a
// Markdown table. -nir-out FILE also writes the exported graph (for snn-sim -network FILE).
#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>

#include "apps/snn-sim/run_nir.h"
#include "io/checkpoint.h"
#include "io/idx_reader.h"
#include "learning/export/nir_export.h"
#include "learning/model/fc_network.h"
#include "sim/core/threads.h"
#include "sim/nir/nir_plan.h"
#include "sim/recording/recorder.h"

namespace po = boost::program_options;
using namespace snn;
using Clock = std::chrono::steady_clock;

namespace {
double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}
int argmax(const std::vector<long>& c) {
  return static_cast<int>(std::max_element(c.begin(), c.end()) - c.begin());
}
}  // namespace

int main(int argc, char** argv) {
  std::string data_dir = std::string(SNN_BENCH_SHARED) + "/mnist-t10k-split", checkpoint, nir_out;
  int images = 2000, T = 100, threads = 1;
  std::vector<int> hidden;
  po::options_description o("snn-bench-nir");
  o.add_options()("data-dir", po::value(&data_dir))("checkpoint", po::value(&checkpoint))(
      "images", po::value(&images))("T", po::value(&T))("threads", po::value(&threads))(
      "hidden", po::value(&hidden)->multitoken())("nir-out", po::value(&nir_out));
  po::variables_map vm;
  const auto style =
      (po::command_line_style::default_style | po::command_line_style::allow_long_disguise) &
      ~po::command_line_style::allow_guessing;
  po::store(po::command_line_parser(argc, argv).options(o).style(style).run(), vm);
  po::notify(vm);
  set_num_threads(threads);
  io::ImageSet test = io::read_mnist(data_dir, false);
  images = std::min(images, test.count);
  const int in = test.pixels(), classes = 10;
  learning::LIFParams lif;
  auto model = learning::build_fc_classifier<float>(in, hidden, classes, lif, 0);
  model->set_training(false);
  if (!checkpoint.empty()) {
    io::CheckpointData ck = io::read_checkpoint(checkpoint);
    for (auto* p : model->parameters()) {
      const io::NamedTensor& t =
          io::find_tensor(ck.parameters, p->name, p->value.shape(), checkpoint);
      p->value.from_host(p->value.shape(), std::vector<float>(t.values.begin(), t.values.end()));
    }
  }
  learning::NirExportOptions eo;
  eo.input_shape = {1, test.rows, test.cols};
  eo.steps = T;
  const io::NirGraph g = learning::export_nir(*model, eo);
  if (!nir_out.empty()) io::write_nir(g, nir_out);  // the exported network, for snn-sim
  apps::SimArgs args;
  const sim::nir::NirPlan plan = sim::nir::plan_nir(g, apps::nir_options(args, g));
  std::string output;
  for (auto& po : plan.outputs)
    if (po.spikes) output = po.population;
  std::uint64_t synapses = 0;
  for (auto& q : plan.projections) synapses += q.map.entries.size();

  long correct_sim = 0, correct_train = 0, differing = 0, spikes = 0;
  double events = 0, t_sim = 0, t_build = 0, t_fwd1 = 0;
  for (int i = 0; i < images; ++i) {
    const std::uint8_t* px = &test.images[static_cast<std::size_t>(i) * in];
    std::vector<float> xh(in);
    for (int p = 0; p < in; ++p) xh[p] = px[p] / 255.0f;
    learning::Tensor<float> x({1, in});
    x.from_host({1, in}, xh);
    auto t0 = Clock::now();
    const std::vector<float> ref =
        model->forward(x, T, (std::uint64_t{1} << 32) + static_cast<unsigned>(i)).to_host();
    t_fwd1 += since(t0);
    sim::nir::InputSpikes s = apps::poisson_image_spikes(px, in, T, 0, i);
    t0 = Clock::now();
    sim::SimConfig cfg;
    cfg.dt_ms = plan.dt_ms();
    sim::Network net(cfg);
    sim::nir::add_to_network(plan, net, {{plan.input_names()[0], s}}, {}, false);
    net.build();
    t_build += since(t0);
    sim::Recorder rec("", true);
    sim::RunStats st = net.run(T * cfg.dt_ms, &rec);
    t_sim += st.sim_s;
    events += st.syn_events;
    std::vector<std::uint8_t> got(static_cast<std::size_t>(T) * classes, 0);
    auto it = rec.spikes().find(output);
    if (it != rec.spikes().end())
      for (std::size_t k = 0; k < it->second.node_ids.size(); ++k)
        got[(std::lround(it->second.times_ms[k] / cfg.dt_ms) - 1) * classes +
            it->second.node_ids[k]] = 1;
    std::vector<long> cs(classes, 0), ct(classes, 0);
    for (int k = 0; k < T * classes; ++k) {
      spikes += ref[k] != 0;
      differing += (ref[k] != 0) != (got[k] != 0);
      ct[k % classes] += ref[k] != 0;
      cs[k % classes] += got[k];
    }
    correct_sim += argmax(cs) == test.labels[i];
    correct_train += argmax(ct) == test.labels[i];
  }
  // The trainer's batched forward over the same images.
  double t_fwd64 = 0;
  for (int b0 = 0; b0 < images; b0 += 64) {
    const int n = std::min(64, images - b0);
    std::vector<float> xh(static_cast<std::size_t>(n) * in);
    for (std::size_t k = 0; k < xh.size(); ++k) xh[k] = test.images[b0 * in + k] / 255.0f;
    learning::Tensor<float> x({n, in});
    x.from_host({n, in}, xh);
    auto t0 = Clock::now();
    model->forward(x, T, (std::uint64_t{1} << 32) + b0);
    t_fwd64 += since(t0);
  }
  const double macs = static_cast<double>(synapses) * T;
  std::printf("| %s, T=%d, %d images, %d thread(s)%s | per image |\n| --- | --- |\n",
              hidden.empty() ? "784-10" : "784-hidden-10", T, images, threads,
              checkpoint.empty() ? ", untrained weights" : "");
  std::printf("| dense MACs (synapses x T) | %.0f |\n", macs);
  std::printf("| SynOps (synaptic events, event-driven) | %.0f (%.1f %% of the MACs) |\n",
              events / images, 100.0 * events / images / macs);
  std::printf("| output spikes, trainer / differing in the simulator | %.1f / %ld in all |\n",
              double(spikes) / images, differing);
  std::printf("| accuracy, trainer / simulator | %.2f %% / %.2f %% |\n",
              100.0 * correct_train / images, 100.0 * correct_sim / images);
  std::printf("| event-driven simulation (+ network build) | %.3f ms (+ %.3f ms) |\n",
              1e3 * t_sim / images, 1e3 * t_build / images);
  std::printf("| trainer forward, batch 1 / batch 64 | %.3f ms / %.3f ms |\n",
              1e3 * t_fwd1 / images, 1e3 * t_fwd64 / images);
  return differing == 0 ? 0 : 1;
}
