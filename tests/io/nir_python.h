// NIR's own Python reader (nir 1.0.7, /usr/bin/python3 with h5py) run from a test on files we
// wrote; why_not says why it cannot run here (then the test skips with that message).
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace snn::test {

struct NirPython {
  std::string nir_dir = SNN_NIR_PYTHON_DIR;
  std::string script = std::string(SNN_SOURCE_DIR) + "/tests/io/nir_python_roundtrip.py";
  std::string why_not;

  NirPython() {
    if (!std::filesystem::is_directory(nir_dir + "/nir"))
      why_not = "no " + nir_dir + " (NIR's Python reader 1.0.7 is not on this machine)";
    else if (std::system("/usr/bin/python3 -c 'import h5py, numpy' > /dev/null 2>&1") != 0)
      why_not = "/usr/bin/python3 with h5py and numpy is not available (apt install python3-h5py)";
  }

  /// Runs the script with `args` (already quoted); the exit status, and its output in `out`.
  int run(const std::string& args, std::string& out) const {
    const std::string cmd =
        "PYTHONPATH='" + nir_dir + "' /usr/bin/python3 '" + script + "' " + args + " 2>&1";
    out.clear();
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return -1;
    std::array<char, 4096> buf;
    while (std::fgets(buf.data(), int(buf.size()), p)) out += buf.data();
    const int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
};

inline std::string shell_quote(const std::string& s) {
  return "'" + s + "'";
}

}  // namespace snn::test
