// Writes the checkpoint seeds of the fuzz corpus: small valid checkpoints as snn-train writes them
// (float32 and float64, with and without optimizer state). Run: write_seeds DIR.
#include <cstdio>
#include <string>

#include "io/checkpoint.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: write_seeds DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  snn::io::CheckpointData d;
  d.parameters = {{"fc0.weight", {3, 4}, {0.5, -1.25, 3, 1e-7, 2, -0.0, 1, 2, 3, 4, 5, 6}},
                  {"fc1.weight", {2, 3}, {1, 2, 3, 4, 5, 6}}};
  d.buffers = {{"bn0.running_mean", {3}, {0.1, 0.2, 0.3}}};
  d.optimizer = "sgd";
  d.epoch = 1;
  d.max_test_acc = 0.5;
  d.args = {{"T", "4"}, {"opt", "sgd"}};
  snn::io::write_checkpoint(dir + "/valid_sgd_f32.h5", d);
  d.single_precision = false;
  d.optimizer = "adam";
  d.optimizer_step = 7;
  d.optimizer_state = {{"adam.exp_avg.fc0.weight", {3, 4}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}},
                       {"adam.exp_avg_sq/x", {2}, {6, 5}}};
  snn::io::write_checkpoint(dir + "/valid_adam_f64.h5", d);
  return 0;
}
