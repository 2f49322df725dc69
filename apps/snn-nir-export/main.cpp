// snn-nir-export: any snn-train checkpoint as a NIR graph, the same graph snn-train writes as
// model.nir. Errors end the program with one line "snn-nir-export: error: ..." (status 2 for a
// bad command line, 1 otherwise).
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>

#include "apps/snn-train/train_model.h"
#include "io/checkpoint.h"
#include "io/hdf5_handle.h"

namespace {

const char* kUsage =
    "usage: snn-nir-export CHECKPOINT -o OUT.nir [-dt SECONDS] [-image-size ROWSxCOLS]\n"
    "  CHECKPOINT    checkpoint_latest.h5 or checkpoint_max.h5 of an snn-train run\n"
    "  -o            the NIR file to write (atomically)\n"
    "  -dt           seconds per trainer step in the NIR parameters (default 1e-4, "
    "SpikingJelly's)\n"
    "  -image-size   input images, for checkpoints that do not record it (default 28x28)\n";

struct Args {
  std::string checkpoint, out;
  double dt = 1e-4;
  int rows = 0, cols = 0;
};

[[noreturn]] void usage_error(const std::string& msg) {
  std::cerr << "snn-nir-export: error: " << msg << "\n" << kUsage;
  std::exit(2);
}

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string s = argv[i];
    if (s.rfind("--", 0) == 0) s = s.substr(1);
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage_error(s + " needs a value");
      return argv[++i];
    };
    if (s == "-h" || s == "-help") {
      std::cout << kUsage;
      std::exit(0);
    } else if (s == "-o") {
      a.out = value();
    } else if (s == "-dt") {
      const std::string v = value();
      char* end = nullptr;
      a.dt = std::strtod(v.c_str(), &end);
      if (*end || !(a.dt > 0)) usage_error("-dt must be a number > 0, got '" + v + "'");
    } else if (s == "-image-size") {
      const std::string v = value();
      if (std::sscanf(v.c_str(), "%dx%d", &a.rows, &a.cols) != 2 || a.rows < 1 || a.cols < 1)
        usage_error("-image-size must be ROWSxCOLS, e.g. 28x28, got '" + v + "'");
    } else if (!s.empty() && s[0] == '-') {
      usage_error("unknown option '" + s + "'");
    } else if (a.checkpoint.empty()) {
      a.checkpoint = s;
    } else {
      usage_error("one checkpoint only, got '" + a.checkpoint + "' and '" + s + "'");
    }
  }
  if (a.checkpoint.empty()) usage_error("no checkpoint given");
  if (a.out.empty()) usage_error("no output file given (-o OUT.nir)");
  return a;
}

}  // namespace

int main(int argc, char** argv) {
  snn::io::h5::skip_exit_handler();  // a failed write never crashes at exit (hdf5_handle.h)
  const Args a = parse(argc, argv);
  try {
    using namespace snn;
    const io::CheckpointData ck = io::read_checkpoint(a.checkpoint);
    apps::ModelGeometry geo = apps::model_geometry(ck);
    if (a.rows > 0) geo.rows = a.rows, geo.cols = a.cols;
    auto model = apps::load_model(ck, a.checkpoint, geo);
    const io::NirGraph g = apps::write_model_nir(*model, apps::train_args_from_map(ck.args),
                                                 geo.channels, geo.rows, geo.cols, a.out, a.dt);
    std::cout << a.out << ": " << g.nodes.size() << " nodes, " << g.edges.size() << " edges, from "
              << a.checkpoint << " (epoch " << ck.epoch << ", " << geo.rows << "x" << geo.cols
              << " images, " << geo.classes << " classes)\n";
  } catch (const std::exception& e) {
    std::cerr << "snn-nir-export: error: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
