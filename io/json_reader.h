// JSON files that say where a bad value is: nlohmann::json parsed through a SAX handler that
// notes the line of every field path ("layers[3].kernel"), and a reader whose errors read
// "net.json:12: layers[3].kernel: expected an integer, got 2.5". Comments are allowed.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "sim/core/errors.h"

namespace snn::io {

using Json = nlohmann::json;

/// A parsed document and the line of each field path ("" is the root).
struct LocatedJson {
  Json root;
  std::map<std::string, int> lines;
};

/// Parses `text`; FormatError "source: <parser message>" for malformed JSON.
LocatedJson parse_located_json(const std::string& text, const std::string& source);

/// Reads fields out of a LocatedJson with errors that name the file, the line and the field.
class JsonReader {
 public:
  /// Both are referenced, not copied: they must outlive the reader.
  JsonReader(const std::string& source, const std::map<std::string, int>& lines)
      : source_(source), lines_(lines) {}

  /// "source:line: path" (the line when known; "source" alone for the root).
  std::string where(const std::string& path) const;
  /// FormatError for a field of the wrong type or an unknown field.
  [[noreturn]] void format_error(const std::string& path, const std::string& msg) const;
  /// InvalidParameter for a value out of range.
  [[noreturn]] void value_error(const std::string& path, const std::string& msg) const;

  static std::string field(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }
  static std::string item(const std::string& path, std::size_t i) {
    return path + "[" + std::to_string(i) + "]";
  }

  const Json& object(const Json& j, const std::string& path) const;
  const Json& array(const Json& j, const std::string& path) const;
  /// Fails on a key outside `allowed` (a misspelt field must not be silently ignored).
  void only(const Json& obj, const std::string& path,
            std::initializer_list<const char*> allowed) const;
  const Json& need(const Json& obj, const std::string& path, const char* key) const;
  double number(const Json& j, const std::string& path) const;
  std::int64_t integer(const Json& j, const std::string& path) const;
  std::int64_t non_negative(const Json& j, const std::string& path) const;
  std::string string(const Json& j, const std::string& path) const;
  bool boolean(const Json& j, const std::string& path) const;

 private:
  const std::string& source_;
  const std::map<std::string, int>& lines_;
};

}  // namespace snn::io
