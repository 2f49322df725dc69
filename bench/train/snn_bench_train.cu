// snn-bench-train: training and test images/s of SpikingJelly's lif_fc_mnist networks
// (784-10 at T=100 and 784-20-10 at T=50 by default), batch 64, Adam, MSE on the firing rate,
// on an MNIST-format folder (synthetic MNIST-like images when there is none).
//
//   snn-bench-train [-data-dir DIR] [-j THREADS] [-b BATCH] [-batches N] [-warmup N]
//                   [-test-batches N] [-nets 784-10:100,784-20-10:50] [-generic] [-repeat N]
//                   [-epochs N]   (-epochs: full epochs with test accuracy instead of timing)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <sstream>
#include <string>
#include <vector>

#include "io/idx_reader.h"
#include "learning/loss/rate_loss.h"
#include "learning/model/fc_network.h"
#include "learning/optim/adam.h"
#include "learning/train/device_dataset.h"
#include "sim/core/errors.h"
#include "sim/core/rng.h"
#include "sim/core/threads.h"

namespace {

using namespace snn;
using namespace snn::learning;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string data_dir = "../shared/data/mnist-t10k-split";
  int threads = 2, batch = 64, batches = 100, warmup = 10, test_batches = 0, repeat = 1, epochs = 0;
  bool generic = false;
  std::string nets = "784-10:100,784-20-10:50";
};

struct Net {
  std::vector<int> hidden;
  int steps;
  std::string name;
};

std::vector<Net> parse_nets(const std::string& spec) {
  std::vector<Net> nets;
  std::stringstream ss(spec);
  std::string item;
  while (std::getline(ss, item, ',')) {
    const auto colon = item.find(':');
    require(colon != std::string::npos, "-nets: '" + item + "' is not ARCH:T (e.g. 784-20-10:50)");
    Net n;
    n.name = item.substr(0, colon);
    n.steps = std::stoi(item.substr(colon + 1));
    std::vector<int> sizes;
    std::stringstream as(n.name);
    std::string s;
    while (std::getline(as, s, '-')) sizes.push_back(std::stoi(s));
    require(sizes.size() >= 2 && sizes.front() == 784 && sizes.back() == 10,
            "-nets: '" + n.name + "' must be 784-...-10");
    n.hidden.assign(sizes.begin() + 1, sizes.end() - 1);
    nets.push_back(n);
  }
  return nets;
}

/// MNIST-like synthetic images (about 19% nonzero pixels, a third of them at 255) and labels.
io::ImageSet synthetic(int count) {
  io::ImageSet s;
  s.count = count;
  s.rows = s.cols = 28;
  s.images.resize(std::size_t(count) * 784);
  s.labels.resize(count);
  CounterRng rng{12345, 1};
  for (int i = 0; i < count; ++i) {
    s.labels[i] = std::uint8_t(i % 10);
    for (int p = 0; p < 784; ++p) {
      const Random4 r = rng.draw(i, p, 0, 0);
      const int row = p / 28, col = p % 28;
      const bool centre = row > 4 && row < 24 && col > 6 && col < 22;
      const double u = uniform01(r.w[0]);
      std::uint8_t v = 0;
      if (centre && u < 0.45) v = uniform01(r.w[1]) < 0.35 ? 255 : std::uint8_t(1 + (r.w[2] % 254));
      s.images[std::size_t(i) * 784 + p] = v;
    }
  }
  return s;
}

/// CPU seconds of the whole process (all threads): a figure that other load on the machine
/// disturbs less than the wall clock.
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

double seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

struct Result {
  double train_ips = 0, test_ips = 0, test_acc = 0, train_loss = 0;
  double train_cpu_ips = 0, test_cpu_ips = 0;  // images per CPU-second (all threads summed)
};

Result run(const Net& net, const Options& o, const DeviceImageSet<float>& train,
           const DeviceImageSet<float>& test, bool full_epochs) {
  auto model = build_fc_classifier<float>(784, net.hidden, 10, LIFParams{}, 0);
  model->set_fused(!o.generic);
  Adam<float> opt(model->parameters(), 1e-3);
  Tensor<float> images, grad;
  DeviceVector<int> labels;
  Result r;
  const int B = o.batch;
  const int epochs = full_epochs ? o.epochs : 1;
  for (int epoch = 0; epoch < epochs; ++epoch) {
    // shuffled order, fixed per epoch
    std::vector<int> perm(train.count());
    for (int i = 0; i < train.count(); ++i) perm[i] = i;
    CounterRng rng{7, 2};
    for (int i = train.count() - 1; i > 0; --i) {
      const int j = int(rng.draw(epoch, i, 0, 0).w[0] % std::uint32_t(i + 1));
      std::swap(perm[i], perm[j]);
    }
    DeviceVector<int> order(perm.begin(), perm.end());
    int nb = train.count() / B;
    if (!full_epochs) nb = std::min(nb, o.warmup + o.batches);
    model->set_training(true);
    Clock::time_point t0 = Clock::now();
    double c0 = cpu_seconds();
    double loss_sum = 0;
    for (int b = 0; b < nb; ++b) {
      if (!full_epochs && b == o.warmup) {
        t0 = Clock::now();
        c0 = cpu_seconds();
      }
      train.gather(&order, b * B, B, images, labels);
      model->zero_grad();
      const Tensor<float>& out =
          model->forward(images, net.steps, std::uint64_t(epoch) * 1000000 + b);
      loss_sum += rate_loss(LossKind::MSE, out, labels, grad);
      model->backward(grad);
      opt.step();
    }
    const Clock::time_point t1 = Clock::now();
    const double c1 = cpu_seconds();
    const int timed = full_epochs ? nb : nb - o.warmup;
    r.train_ips = timed * B / seconds(t0, t1);
    r.train_cpu_ips = timed * B / (c1 - c0);
    r.train_loss = loss_sum / nb;
    // test
    model->set_training(false);
    int tb = (test.count() + B - 1) / B;
    if (o.test_batches > 0 && !full_epochs) tb = std::min(tb, o.test_batches);
    long correct = 0, seen = 0;
    const Clock::time_point s0 = Clock::now();
    const double d0 = cpu_seconds();
    for (int b = 0; b < tb; ++b) {
      const int n = std::min(B, test.count() - b * B);
      test.gather(nullptr, b * B, n, images, labels);
      const Tensor<float>& out = model->forward(images, net.steps, (std::uint64_t(1) << 40) + b);
      correct += count_correct(out, labels);
      seen += n;
    }
    const Clock::time_point s1 = Clock::now();
    r.test_ips = seen / seconds(s0, s1);
    r.test_cpu_ips = seen / (cpu_seconds() - d0);
    r.test_acc = double(correct) / seen;
    if (full_epochs)
      std::printf("%s T=%d epoch %d: train loss %.4f, %.0f img/s; test acc %.4f, %.0f img/s\n",
                  net.name.c_str(), net.steps, epoch, r.train_loss, r.train_ips, r.test_acc,
                  r.test_ips);
  }
  return r;
}

int parse_int(const char* s, const char* what) {
  char* end = nullptr;
  const long v = std::strtol(s, &end, 10);
  require(end != s && *end == 0 && v >= 0,
          std::string(what) + ": expected a non-negative integer, got '" + s + "'");
  return int(v);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Options o;
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      auto next = [&]() -> const char* {
        require(i + 1 < argc, a + " needs a value");
        return argv[++i];
      };
      if (a == "-data-dir")
        o.data_dir = next();
      else if (a == "-j")
        o.threads = parse_int(next(), "-j");
      else if (a == "-b")
        o.batch = parse_int(next(), "-b");
      else if (a == "-batches")
        o.batches = parse_int(next(), "-batches");
      else if (a == "-warmup")
        o.warmup = parse_int(next(), "-warmup");
      else if (a == "-test-batches")
        o.test_batches = parse_int(next(), "-test-batches");
      else if (a == "-repeat")
        o.repeat = std::max(1, parse_int(next(), "-repeat"));
      else if (a == "-epochs")
        o.epochs = parse_int(next(), "-epochs");
      else if (a == "-nets")
        o.nets = next();
      else if (a == "-generic")
        o.generic = true;
      else if (a == "-h" || a == "--help") {
        std::printf(
            "usage: snn-bench-train [-data-dir DIR] [-j THREADS] [-b BATCH] [-batches N] [-warmup "
            "N]\n"
            "       [-test-batches N] [-nets 784-10:100,784-20-10:50] [-generic] [-repeat N] "
            "[-epochs N]\n");
        return 0;
      } else {
        throw InvalidParameter("unknown option '" + a + "' (see -h)");
      }
    }
    require(o.threads >= 1 && o.batch >= 1, "-j and -b must be >= 1");
    set_num_threads(o.threads);
    io::ImageSet train_set, test_set;
    std::string source = o.data_dir;
    try {
      train_set = io::read_mnist(o.data_dir, true);
      test_set = io::read_mnist(o.data_dir, false);
    } catch (const Error& e) {
      std::fprintf(stderr, "snn-bench-train: %s; using synthetic MNIST-like images\n", e.what());
      train_set = synthetic(8000);
      test_set = synthetic(2000);
      source = "synthetic";
    }
    require(train_set.pixels() == 784, "the images must be 28x28");
    DeviceImageSet<float> train(train_set), test(test_set);
    const std::vector<Net> nets = parse_nets(o.nets);
    std::printf(
        "# snn-bench-train: system %s, %d threads, batch %d, Adam lr 1e-3, MSE rate loss, %s path, "
        "data %s (%d train / %d test)\n",
        device_system_name(), o.threads, o.batch, o.generic ? "generic" : "fused", source.c_str(),
        train.count(), test.count());
    if (o.epochs > 0) {
      for (const Net& n : nets) run(n, o, train, test, true);
      return 0;
    }
    std::printf(
        "# train: %d timed batches after %d warm-up; test: %s; best of %d\n", o.batches, o.warmup,
        o.test_batches ? (std::to_string(o.test_batches) + " batches").c_str() : "whole test set",
        o.repeat);
    std::printf(
        "| network | T | train img/s | test img/s | train img/CPU-s | test img/CPU-s |\n"
        "|---|---:|---:|---:|---:|---:|\n");
    for (const Net& n : nets) {
      Result best;
      for (int k = 0; k < o.repeat; ++k) {
        const Result r = run(n, o, train, test, false);
        best.train_ips = std::max(best.train_ips, r.train_ips);
        best.test_ips = std::max(best.test_ips, r.test_ips);
        best.train_cpu_ips = std::max(best.train_cpu_ips, r.train_cpu_ips);
        best.test_cpu_ips = std::max(best.test_cpu_ips, r.test_cpu_ips);
      }
      std::printf("| %s | %d | %.0f | %.0f | %.0f | %.0f |\n", n.name.c_str(), n.steps,
                  best.train_ips, best.test_ips, best.train_cpu_ips, best.test_cpu_ips);
      std::fflush(stdout);
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "snn-bench-train: %s\n", e.what());
    return 1;
  }
}
