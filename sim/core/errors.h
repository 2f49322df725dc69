// Errors of the library: one base type and a few kinds. User errors throw; programming errors
// assert. Only apps/ turns exceptions into messages and exit codes.
#pragma once

#include <cstdio>
#include <stdexcept>
#include <string>

namespace snn {

/// Base of every error the library throws.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A parameter outside its valid range ("tau must be > 0 ms, got -1").
class InvalidParameter : public Error {
 public:
  using Error::Error;
};

/// A file that cannot be opened, read or written.
class IoError : public Error {
 public:
  using Error::Error;
};

/// A file that opens but whose content is not what its format requires.
class FormatError : public Error {
 public:
  using Error::Error;
};

/// A run stopped on request (SIGINT/SIGTERM, sim/core/stop_request.h) at a safe point, after
/// saving what it had; code() is the signal number.
class Interrupted : public Error {
 public:
  Interrupted(const std::string& what, int code) : Error(what), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

/// A number as a user wrote it, for messages: 0.1, 2, 1e-05 (not std::to_string's 0.100000).
inline std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

/// Throws InvalidParameter with `message` unless `condition` holds.
inline void require(bool condition, const std::string& message) {
  if (!condition) throw InvalidParameter(message);
}

}  // namespace snn
