// The fuzz targets' readers take paths: each input is written to one temporary file per process,
// in /dev/shm when it exists (no disk traffic), and removed when the process ends.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

namespace snn::fuzz {

class InputFile {
 public:
  explicit InputFile(const std::string& suffix) {
    std::error_code ec;
    std::filesystem::path dir = std::filesystem::is_directory("/dev/shm", ec)
                                    ? "/dev/shm"
                                    : std::filesystem::temp_directory_path();
    path_ = (dir / ("snn-fuzz-" + std::to_string(::getpid()) + suffix)).string();
  }
  ~InputFile() { std::remove(path_.c_str()); }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  /// Replaces the file's content with `size` bytes from `data`.
  const std::string& write(const std::uint8_t* data, std::size_t size) {
    std::FILE* f = std::fopen(path_.c_str(), "wb");
    if (!f) std::abort();
    if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
    std::fclose(f);
    return path_;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace snn::fuzz
