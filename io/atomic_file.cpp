// Temporary-then-rename writes with fsync of the file and of its directory.
#include "io/atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "sim/core/errors.h"

namespace snn::io {
namespace {

void fsync_path(const std::string& path, bool directory) {
  int fd = ::open(path.c_str(), directory ? O_RDONLY | O_DIRECTORY : O_RDWR);
  if (fd < 0) return;  // nothing more we can do; rename already gave atomicity
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0 && !directory)
    throw IoError("cannot sync '" + path + "' to disk: " + std::strerror(err));
}

}  // namespace

namespace {
// The pid of a temporary `<prefix><pid>` whose writer no longer runs, else 0.
pid_t dead_writer(const std::string& name, std::size_t prefix_size) {
  if (name.size() == prefix_size) return 0;
  const std::string digits = name.substr(prefix_size);
  if (digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 9) return 0;
  const pid_t pid = static_cast<pid_t>(std::stol(digits));
  if (pid == ::getpid() || ::kill(pid, 0) == 0 || errno != ESRCH) return 0;  // a live writer's
  return pid;
}
}  // namespace

int remove_stale_temporaries(const std::string& path) {
  namespace fs = std::filesystem;
  fs::path target(path);
  fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  const std::string prefix = target.filename().string() + ".tmp.";
  int removed = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.compare(0, prefix.size(), prefix) != 0 || dead_writer(name, prefix.size()) == 0)
      continue;
    if (fs::remove(e.path(), ec)) ++removed;
  }
  return removed;
}

int remove_stale_temporaries_in(const std::string& dir) {
  namespace fs = std::filesystem;
  int removed = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    const std::size_t at = name.rfind(".tmp.");
    if (at == std::string::npos || at == 0 || dead_writer(name, at + 5) == 0) continue;
    if (fs::remove(e.path(), ec)) ++removed;
  }
  return removed;
}

void write_atomically(const std::string& path,
                      const std::function<void(const std::string&)>& write) {
  namespace fs = std::filesystem;
  fs::path target(path);
  fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  if (!fs::is_directory(dir))
    throw IoError("cannot write '" + path + "': folder '" + dir.string() + "' does not exist");
  remove_stale_temporaries(path);
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  try {
    write(tmp);
    fsync_path(tmp, false);
  } catch (...) {
    std::remove(tmp.c_str());
    throw;
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    std::remove(tmp.c_str());
    throw IoError("cannot rename '" + tmp + "' to '" + path + "': " + std::strerror(err));
  }
  fsync_path(dir.string(), true);
}

void require_writable_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (!fs::is_directory(dir))
    throw IoError("output folder '" + dir + "' cannot be created" +
                  (ec ? ": " + ec.message() : std::string()));
  std::string probe = (fs::path(dir) / (".write-test." + std::to_string(::getpid()))).string();
  int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) throw IoError("output folder '" + dir + "' is not writable: " + std::strerror(errno));
  ::close(fd);
  std::remove(probe.c_str());
}

}  // namespace snn::io
