// Trainer's on_batch hook (the Python module checks for Ctrl-C there): called once after every
// training and test batch, and an exception from it stops the run at once with nothing saved.
#include <gtest/gtest.h>

#include <sstream>
#include <stdexcept>

#include "io/idx_reader.h"
#include "learning/model/fc_network.h"
#include "learning/train/trainer.h"

namespace {

using namespace snn;

io::ImageSet tiny_set(int n) {
  io::ImageSet s;
  s.count = n;
  s.rows = 28;
  s.cols = 28;
  s.images.assign(static_cast<std::size_t>(n) * 784, 0);
  s.labels.resize(n);
  for (int i = 0; i < n; ++i) {
    s.labels[i] = static_cast<std::uint8_t>(i % 10);
    for (int p = 0; p < 50; ++p) s.images[i * 784 + (i % 10) * 60 + p] = 255;
  }
  return s;
}

struct TinyRun {
  std::unique_ptr<learning::Classifier<float>> model =
      learning::build_fc_classifier<float>(784, {}, 10, learning::LIFParams{}, 1);
  learning::OptimizerOptions oo;
  std::unique_ptr<learning::Optimizer<float>> opt =
      learning::make_optimizer<float>(oo, model->parameters());
  std::unique_ptr<learning::Scheduler> sched = learning::make_scheduler({});
  learning::DeviceImageSet<float> train{tiny_set(32)}, test{tiny_set(20)};
  std::ostringstream out;
  learning::TrainerOptions options() {
    learning::TrainerOptions o;
    o.steps = 4;
    o.batch = 8;
    o.epochs = 2;
    o.progress = false;
    return o;
  }
};

TEST(TrainerHook, CalledAfterEveryTrainAndTestBatch) {
  TinyRun s;
  auto o = s.options();
  int calls = 0;
  o.on_batch = [&] { ++calls; };
  learning::Trainer<float> t(*s.model, *s.opt, *s.sched, s.train, s.test, o, s.out);
  t.run();
  EXPECT_EQ(calls, 2 * (32 / 8 + 3));  // per epoch: 4 training batches, 3 test batches (8, 8, 4)
  EXPECT_EQ(t.history().size(), 2u);
}

TEST(TrainerHook, AnExceptionStopsTheRunAtThatBatch) {
  TinyRun s;
  auto o = s.options();
  int calls = 0;
  o.on_batch = [&] {
    if (++calls == 3) throw std::runtime_error("interrupted");
  };
  learning::Trainer<float> t(*s.model, *s.opt, *s.sched, s.train, s.test, o, s.out);
  EXPECT_THROW(t.run(), std::runtime_error);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(s.opt->step_count(), 3);  // three optimizer steps, then stopped
  EXPECT_TRUE(t.history().empty());
}

}  // namespace
