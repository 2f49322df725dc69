// Replays files through a fuzz target without libFuzzer (any compiler): each argument is a file
// or a folder of files. ctest runs it over tests/fuzz/corpus/<target>/, so that every seed and
// every regression file stays a test in ordinary builds.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {
void replay(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::fprintf(stderr, "replay %s (%zu bytes)\n", file.c_str(), bytes.size());
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}
}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  int n = 0;
  for (int i = 1; i < argc; ++i) {
    // ctest passes an empty argument where a libFuzzer build passes -runs=0.
    if (argv[i][0] == '\0') continue;
    // A missing corpus (a clean clone without it) must fail, not replay nothing and pass.
    if (!fs::exists(argv[i])) {
      std::fprintf(stderr, "replay: %s does not exist\n", argv[i]);
      return 1;
    }
    if (fs::is_directory(argv[i])) {
      std::vector<fs::path> files;
      for (const auto& e : fs::directory_iterator(argv[i]))
        if (e.is_regular_file()) files.push_back(e.path());
      std::sort(files.begin(), files.end());
      for (const auto& f : files) replay(f), ++n;
    } else {
      replay(argv[i]), ++n;
    }
  }
  std::printf("%d inputs replayed, none crashed\n", n);
  return n > 0 ? 0 : 1;
}
