// snn-bench-resnet: images per second of a preset Spiking/SEW ResNet, training (forward, CE loss,
// backward, Adam) and test (forward), at T=4, batch 64, on the given threads; with the parameter
// count and the share of training time spent in the convolutions. `-epochs N` instead trains N
// full epochs (shuffled, cosine-annealed) and prints the test accuracy after each.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "io/idx_reader.h"
#include "learning/blocks/sew_resnet_block.h"
#include "learning/blocks/spiking_resnet_block.h"
#include "learning/layers/conv2d.h"
#include "learning/loss/rate_loss.h"
#include "learning/model/resnet_builder.h"
#include "learning/optim/adam.h"
#include "learning/optim/scheduler.h"
#include "learning/optim/sgd.h"
#include "learning/train/device_dataset.h"
#include "learning/train/shuffle.h"
#include "sim/core/device_info.h"
#include "sim/core/errors.h"
#include "sim/core/threads.h"

using namespace snn;
using namespace snn::learning;

namespace {

struct Options {
  std::string data_dir = SNN_SHARED_DATA_DIR "/mnist-t10k-split";
  std::string preset = "";  // default preset
  std::string model = "resnet";
  std::string connect = "add";
  std::string channels, blocks, head;
  std::string encoder = "direct";
  std::string loss = "ce";
  std::string opt = "adam";
  std::string conv = "auto";  // auto (oneDNN where built) | im2col
  bool spiking_readout = false;
  int steps = 4, batch = 64, threads = 2;
  int batches = 40, warmup = 3, test_batches = 40;
  int epochs = 0;
  int train_limit = 0;
  double lr = 1e-3, weight_decay = 0, momentum = 0.9, dropout = 0;
  std::uint64_t seed = 0;
};

std::vector<int> parse_ints(const std::string& s) {
  std::vector<int> v;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) v.push_back(std::stoi(item));
  return v;
}

void usage() {
  std::cout
      << "snn-bench-resnet [-data-dir D] [-preset tiny|small|medium|resnet18|resnet34] [-model "
         "resnet|sew-resnet]\n"
         "  [-connect add|and|iand] [-channels 16,32] [-blocks 1,1] [-head flatten|gap] [-T 4] [-b "
         "64] [-j 2]\n"
         "  [-batches 40] [-warmup 3] [-test-batches 40] [-encoder direct|poisson]\n"
         "  [-readout linear|lif] [-loss ce|mse] [-opt adam|sgd] [-lr 1e-3] [-wd 0]\n"
         "  [-dropout 0] [-seed 0] [-epochs N] [-train-limit N] [-conv auto|im2col]\n";
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw InvalidParameter(a + " needs a value");
      return argv[++i];
    };
    if (a == "-h" || a == "--help") {
      usage();
      std::exit(0);
    } else if (a == "-data-dir")
      o.data_dir = next();
    else if (a == "-preset")
      o.preset = next();
    else if (a == "-model")
      o.model = next();
    else if (a == "-connect")
      o.connect = next();
    else if (a == "-channels")
      o.channels = next();
    else if (a == "-head")
      o.head = next();
    else if (a == "-blocks")
      o.blocks = next();
    else if (a == "-T")
      o.steps = std::stoi(next());
    else if (a == "-b")
      o.batch = std::stoi(next());
    else if (a == "-j")
      o.threads = std::stoi(next());
    else if (a == "-batches")
      o.batches = std::stoi(next());
    else if (a == "-warmup")
      o.warmup = std::stoi(next());
    else if (a == "-test-batches")
      o.test_batches = std::stoi(next());
    else if (a == "-encoder")
      o.encoder = next();
    else if (a == "-readout")
      o.spiking_readout = next() == "lif";
    else if (a == "-loss")
      o.loss = next();
    else if (a == "-opt")
      o.opt = next();
    else if (a == "-lr")
      o.lr = std::stod(next());
    else if (a == "-wd")
      o.weight_decay = std::stod(next());
    else if (a == "-dropout")
      o.dropout = std::stod(next());
    else if (a == "-seed")
      o.seed = std::stoull(next());
    else if (a == "-epochs")
      o.epochs = std::stoi(next());
    else if (a == "-conv")
      o.conv = next();
    else if (a == "-train-limit")
      o.train_limit = std::stoi(next());
    else
      throw InvalidParameter("unknown option " + a);
  }
  return o;
}

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct Run {
  std::unique_ptr<Classifier<float>> model;
  std::unique_ptr<Optimizer<float>> opt;
  LossKind loss;
  Tensor<float> images, grad;
  DeviceVector<int> labels;
};

double train_batch(Run& r, const DeviceImageSet<float>& data, const DeviceVector<int>* order,
                   int first, int n, int steps, std::uint64_t key, int* correct = nullptr) {
  data.gather(order, first, n, r.images, r.labels);
  r.opt->zero_grad();
  const Tensor<float>& out = r.model->forward(r.images, steps, key);
  const double loss = rate_loss(r.loss, out, r.labels, r.grad);
  if (correct) *correct += count_correct(out, r.labels);
  r.model->backward(r.grad);
  r.opt->step();
  return loss;
}

/// Resident set of the process now, MiB (Linux /proc/self/statm: pages).
double resident_mb() {
  long pages = 0, resident = 0;
  if (std::FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return resident * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1 << 20);
}

/// Peak resident set of the process so far, MiB.
double peak_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);  // KiB on Linux
  return usage.ru_maxrss / 1024.0;
}

/// Spiking neurons per sample and step in the last forward (those of the blocks included).
std::int64_t neurons_per_sample(Classifier<float>& model) {
  std::int64_t n = 0;
  auto add = [&](const SpikingNeuron<float>* sn) {
    const Shape& s = sn->output_shape();
    if (s.size() >= 2) n += shape_size(s) / (s[0] * s[1]);
  };
  Sequential<float>& body = model.body();
  for (std::size_t i = 0; i < body.size(); ++i) {
    Layer<float>* l = &body.layer(i);
    if (auto* sn = dynamic_cast<SpikingNeuron<float>*>(l)) add(sn);
    if (auto* b = dynamic_cast<SpikingResNetBlock<float>*>(l))
      for (auto* sn : b->neurons()) add(sn);
    if (auto* b = dynamic_cast<SewResNetBlock<float>*>(l))
      for (auto* sn : b->neurons()) add(sn);
  }
  return n;
}

int test_batch(Run& r, const DeviceImageSet<float>& data, int first, int n, int steps) {
  data.gather(nullptr, first, n, r.images, r.labels);
  const Tensor<float>& out = r.model->forward(r.images, steps, 0);
  return count_correct(out, r.labels);
}

}  // namespace

int main(int argc, char** argv) try {
  Options o = parse(argc, argv);
  set_num_threads(o.threads);
  require(o.conv == "auto" || o.conv == "im2col", "-conv must be auto or im2col, got " + o.conv);
  ConvBackend::use_dnnl(o.conv == "auto");
  ResNetConfig cfg = resnet_preset(o.preset);
  if (!o.channels.empty()) cfg.channels = parse_ints(o.channels);
  if (!o.blocks.empty()) cfg.blocks = parse_ints(o.blocks);
  if (!o.head.empty()) cfg.head = o.head;
  require(o.model == "resnet" || o.model == "sew-resnet",
          "-model must be resnet or sew-resnet, got " + o.model);
  cfg.block = o.model == "sew-resnet" ? "sew" : "spiking";
  cfg.connect = o.connect;
  cfg.encoder = o.encoder == "poisson" ? EncoderKind::Poisson : EncoderKind::Direct;
  cfg.spiking_readout = o.spiking_readout;
  cfg.dropout = o.dropout;

  io::ImageSet train_set = io::read_mnist(o.data_dir, true);
  io::ImageSet test_set = io::read_mnist(o.data_dir, false);
  if (o.train_limit > 0) train_set = train_set.slice(0, o.train_limit);
  DeviceImageSet<float> train(train_set), test(test_set);
  const int classes = std::max(train_set.classes(), test_set.classes());

  Run r;
  r.model = build_resnet<float>(cfg, 1, train.rows(), train.cols(), classes, o.seed);
  r.loss = parse_loss(o.loss);
  ParameterList<float> params = r.model->parameters();
  std::int64_t n_params = 0;
  for (auto* p : params) n_params += p->value.size();
  if (o.opt == "sgd")
    r.opt = std::make_unique<SGD<float>>(params, o.lr, o.momentum, o.weight_decay);
  else
    r.opt = std::make_unique<Adam<float>>(params, o.lr, 0.9, 0.999, 1e-8, o.weight_decay);

  std::string chans, blks;
  for (std::size_t i = 0; i < cfg.channels.size(); ++i) {
    chans += (i ? "," : "") + std::to_string(cfg.channels[i]);
    blks += (i ? "," : "") + std::to_string(cfg.blocks[i]);
  }
  std::printf(
      "# %s %s, channels %s, blocks %s, %lld parameters, T=%d, batch %d, %d threads, %s, conv %s\n",
      o.model.c_str(), o.preset.empty() ? resnet_default_preset().c_str() : o.preset.c_str(),
      chans.c_str(), blks.c_str(), static_cast<long long>(n_params), o.steps, o.batch, o.threads,
      device_description().c_str(), ConvBackend::dnnl() ? "oneDNN" : "im2col+GEMM");
  std::printf("# data %s: %d train, %d test images\n", o.data_dir.c_str(), train.count(),
              test.count());

  if (o.epochs > 0) {
    CosineAnnealingLR sched(o.lr, o.epochs);
    std::printf("epoch  lr         train_loss  train_acc  test_acc  train_s  test_s\n");
    for (int epoch = 0; epoch < o.epochs; ++epoch) {
      r.opt->set_lr(sched.lr_at(epoch));
      std::vector<int> perm = epoch_permutation(train.count(), o.seed, epoch);
      DeviceVector<int> order(perm.begin(), perm.end());
      r.model->set_training(true);
      double t0 = now(), loss_sum = 0;
      int correct = 0, seen = 0, nb = 0;
      for (int first = 0; first < train.count(); first += o.batch) {
        const int n = std::min(o.batch, train.count() - first);
        loss_sum += train_batch(r, train, &order, first, n, o.steps,
                                static_cast<std::uint64_t>(epoch) * 1000000 + nb, &correct) *
                    n;
        seen += n;
        ++nb;
      }
      const double train_s = now() - t0;
      r.model->set_training(false);
      t0 = now();
      int test_correct = 0;
      for (int first = 0; first < test.count(); first += o.batch)
        test_correct +=
            test_batch(r, test, first, std::min(o.batch, test.count() - first), o.steps);
      const double test_s = now() - t0;
      std::printf("%5d  %.3e  %10.4f  %8.2f%%  %7.2f%%  %7.1f  %6.1f\n", epoch + 1, r.opt->lr(),
                  loss_sum / seen, 100.0 * correct / seen, 100.0 * test_correct / test.count(),
                  train_s, test_s);
      std::fflush(stdout);
    }
    return 0;
  }

  // benchmark: warm-up batches, then timed training and test batches
  const int nb_train = std::max(1, std::min(o.batches, train.count() / o.batch));
  r.model->set_training(true);
  const double before_mb = resident_mb();  // model, optimiser and data: what training adds to
  for (int i = 0; i < o.warmup; ++i)
    train_batch(r, train, nullptr, (i % nb_train) * o.batch, o.batch, o.steps, i);
  ConvTimer::reset();
  ConvTimer::enable(true);
  double t0 = now();
  for (int i = 0; i < o.batches; ++i)
    train_batch(r, train, nullptr, (i % nb_train) * o.batch, o.batch, o.steps, 1000 + i);
  const double train_s = now() - t0;
  const double conv_s = ConvTimer::seconds();
  ConvTimer::enable(false);
  // Training memory: the peak over the training batches above what was resident before them,
  // per neuron, sample and step (every activation, history and gradient buffer counted).
  const double train_mb = peak_mb() - before_mb;
  const std::int64_t neurons = neurons_per_sample(*r.model);
  const double per_neuron_step =
      train_mb * (1 << 20) / (static_cast<double>(neurons) * o.batch * o.steps);
  r.model->set_training(false);
  const int nb_test = std::max(1, test.count() / o.batch);
  test_batch(r, test, 0, o.batch, o.steps);
  ConvTimer::reset();
  ConvTimer::enable(true);
  t0 = now();
  for (int i = 0; i < o.test_batches; ++i)
    test_batch(r, test, (i % nb_test) * o.batch, o.batch, o.steps);
  const double test_s = now() - t0;
  const double conv_test_s = ConvTimer::seconds();
  std::printf(
      "| model | preset | params | T | batch | threads | train img/s | test img/s | conv share "
      "train | conv share test | peak MB | train MB | neurons | bytes/neuron-step |\n");
  std::printf(
      "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
  std::printf(
      "| %s | %s (%s / %s) | %lld | %d | %d | %d | %.1f | %.1f | %.0f%% | %.0f%% | %.0f | %.0f | "
      "%lld | %.1f |\n",
      o.model.c_str(), o.preset.empty() ? resnet_default_preset().c_str() : o.preset.c_str(),
      chans.c_str(), blks.c_str(), static_cast<long long>(n_params), o.steps, o.batch, o.threads,
      o.batches * o.batch / train_s, o.test_batches * o.batch / test_s, 100 * conv_s / train_s,
      100 * conv_test_s / test_s, peak_mb(), train_mb, static_cast<long long>(neurons),
      per_neuron_step);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "snn-bench-resnet: %s\n", e.what());
  return 1;
}
