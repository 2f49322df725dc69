// metrics.csv reading and writing; the seed's per-epoch lines.
#include "learning/train/metrics_csv.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "io/atomic_file.h"
#include "sim/core/errors.h"

namespace snn::learning {

const char* MetricsCsv::header() {
  return "epoch,train_loss,train_acc,test_loss,test_acc,max_test_acc,train_speed,test_speed,lr,train_seconds,"
         "test_seconds";
}

MetricsCsv::MetricsCsv(const std::string& path, int first_epoch) : path_(path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line) || line != header()) return;  // none, or not ours: start afresh
  while (std::getline(in, line)) {
    EpochMetrics m;
    char comma;
    std::istringstream s(line);
    if (s >> m.epoch >> comma >> m.train_loss >> comma >> m.train_acc >> comma >> m.test_loss >> comma >>
        m.test_acc >> comma >> m.max_test_acc >> comma >> m.train_speed >> comma >> m.test_speed >> comma >> m.lr >>
        comma >> m.train_seconds >> comma >> m.test_seconds) {
      if (m.epoch < first_epoch) rows_.push_back(m);
    }
  }
}

void MetricsCsv::append(const EpochMetrics& m) {
  rows_.push_back(m);
  io::write_atomically(path_, [&](const std::string& tmp) {
    std::FILE* f = std::fopen(tmp.c_str(), "w");
    if (!f) throw IoError("cannot write '" + tmp + "'");
    std::fprintf(f, "%s\n", header());
    for (const EpochMetrics& r : rows_)
      std::fprintf(f, "%d,%.6f,%.6f,%.6f,%.6f,%.6f,%.2f,%.2f,%.9g,%.3f,%.3f\n", r.epoch, r.train_loss, r.train_acc,
                   r.test_loss, r.test_acc, r.max_test_acc, r.train_speed, r.test_speed, r.lr, r.train_seconds,
                   r.test_seconds);
    bool bad = std::ferror(f) != 0;
    if (std::fclose(f) != 0 || bad) throw IoError("cannot write '" + tmp + "' (disk full?)");
  });
}

namespace {
// Python's f'{x: .4f}': a space where a minus sign would go.
std::string py_space_4f(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "% .4f", x);
  return buf;
}
}  // namespace

std::string epoch_line(const EpochMetrics& m) {
  return "epoch = " + std::to_string(m.epoch) + ", train_loss =" + py_space_4f(m.train_loss) +
         ", train_acc =" + py_space_4f(m.train_acc) + ", test_loss =" + py_space_4f(m.test_loss) +
         ", test_acc =" + py_space_4f(m.test_acc) + ", max_test_acc =" + py_space_4f(m.max_test_acc);
}

std::string speed_line(const EpochMetrics& m) {
  return "train speed =" + py_space_4f(m.train_speed) + " images/s, test speed =" + py_space_4f(m.test_speed) +
         " images/s";
}

}  // namespace snn::learning
