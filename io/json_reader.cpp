// The located JSON parser (a SAX handler over nlohmann's DOM builder that notes each field's
// line) and the reader's typed accessors.
#include "io/json_reader.h"

#include <iterator>
#include <vector>

namespace snn::io {
namespace {

/// An iterator over the text that remembers the last character the parser read.
struct TrackingIterator {
  using iterator_category = std::forward_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;
  const char* p;
  const char** last;
  reference operator*() const {
    *last = p;
    return *p;
  }
  TrackingIterator& operator++() {
    ++p;
    return *this;
  }
  TrackingIterator operator++(int) {
    TrackingIterator t = *this;
    ++p;
    return t;
  }
  bool operator==(const TrackingIterator& o) const { return p == o.p; }
  bool operator!=(const TrackingIterator& o) const { return p != o.p; }
};

/// Builds the DOM (nlohmann's own SAX DOM builder) and records the line of every field path.
class LocatingSax : public nlohmann::json_sax<Json> {
 public:
  LocatingSax(Json& root, const char* begin, const char** last, std::map<std::string, int>& lines)
      : dom_(root, true), scan_(begin), last_(last), lines_(lines) {}

  bool null() override {
    return scalar([&] { return dom_.null(); });
  }
  bool boolean(bool v) override {
    return scalar([&] { return dom_.boolean(v); });
  }
  bool number_integer(number_integer_t v) override {
    return scalar([&] { return dom_.number_integer(v); });
  }
  bool number_unsigned(number_unsigned_t v) override {
    return scalar([&] { return dom_.number_unsigned(v); });
  }
  bool number_float(number_float_t v, const string_t& s) override {
    return scalar([&] { return dom_.number_float(v, s); });
  }
  bool string(string_t& v) override {
    return scalar([&] { return dom_.string(v); });
  }
  bool binary(binary_t& v) override {
    return scalar([&] { return dom_.binary(v); });
  }
  bool start_object(std::size_t n) override {
    note_element();
    stack_.push_back(Frame{false, 0, ""});
    return dom_.start_object(n);
  }
  bool key(string_t& k) override {
    stack_.back().key = k;
    lines_[path()] = line_now();
    return dom_.key(k);
  }
  bool end_object() override {
    stack_.pop_back();
    bool r = dom_.end_object();
    next_element();
    return r;
  }
  bool start_array(std::size_t n) override {
    note_element();
    stack_.push_back(Frame{true, 0, ""});
    return dom_.start_array(n);
  }
  bool end_array() override {
    stack_.pop_back();
    bool r = dom_.end_array();
    next_element();
    return r;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    error_ = e.what();
    return false;
  }
  /// The parser's message, without nlohmann's "[json.exception...] " prefix.
  std::string error() const {
    auto cut = error_.find("] ");
    return cut == std::string::npos ? error_ : error_.substr(cut + 2);
  }

 private:
  struct Frame {
    bool array;
    std::size_t index;
    std::string key;
  };
  template <class F>
  bool scalar(F f) {
    note_element();
    bool r = f();
    next_element();
    return r;
  }
  void note_element() {
    if (!stack_.empty() && stack_.back().array) lines_.emplace(path(), line_now());
  }
  void next_element() {
    if (!stack_.empty() && stack_.back().array) ++stack_.back().index;
  }
  std::string path() const {
    std::string s;
    for (const Frame& f : stack_) {
      if (f.array)
        s += "[" + std::to_string(f.index) + "]";
      else
        s += (s.empty() ? "" : ".") + f.key;
    }
    return s;
  }
  int line_now() {
    // Lines before the last character read (a number ends one character later).
    for (; scan_ < *last_; ++scan_)
      if (*scan_ == '\n') ++line_;
    return line_;
  }

  nlohmann::detail::json_sax_dom_parser<Json> dom_;
  const char* scan_;
  const char** last_;
  int line_ = 1;
  std::vector<Frame> stack_;
  std::map<std::string, int>& lines_;
  std::string error_;
};

}  // namespace

LocatedJson parse_located_json(const std::string& text, const std::string& source) {
  LocatedJson out;
  const char* last = text.data();
  LocatingSax sax(out.root, text.data(), &last, out.lines);
  if (!Json::sax_parse(TrackingIterator{text.data(), &last},
                       TrackingIterator{text.data() + text.size(), &last}, &sax,
                       Json::input_format_t::json, true, /*ignore_comments=*/true))
    throw FormatError(source + ": " + sax.error());
  return out;
}

std::string JsonReader::where(const std::string& path) const {
  auto it = lines_.find(path);
  std::string at = source_ + (it != lines_.end() ? ":" + std::to_string(it->second) : "");
  return path.empty() ? at : at + ": " + path;
}

void JsonReader::format_error(const std::string& path, const std::string& msg) const {
  throw FormatError(where(path) + ": " + msg);
}

void JsonReader::value_error(const std::string& path, const std::string& msg) const {
  throw InvalidParameter(where(path) + ": " + msg);
}

const Json& JsonReader::object(const Json& j, const std::string& path) const {
  if (!j.is_object()) format_error(path, std::string("expected an object, got ") + j.type_name());
  return j;
}

const Json& JsonReader::array(const Json& j, const std::string& path) const {
  if (!j.is_array()) format_error(path, std::string("expected an array, got ") + j.type_name());
  return j;
}

void JsonReader::only(const Json& obj, const std::string& path,
                      std::initializer_list<const char*> allowed) const {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool ok = false;
    for (const char* a : allowed) ok = ok || it.key() == a;
    if (!ok) {
      std::string list;
      for (const char* a : allowed) list += std::string(list.empty() ? "" : ", ") + a;
      format_error(field(path, it.key()),
                   "unknown field '" + it.key() + "' (expected one of: " + list + ")");
    }
  }
}

const Json& JsonReader::need(const Json& obj, const std::string& path, const char* key) const {
  auto it = obj.find(key);
  if (it == obj.end()) format_error(path, std::string("missing field '") + key + "'");
  return *it;
}

double JsonReader::number(const Json& j, const std::string& path) const {
  if (!j.is_number()) format_error(path, std::string("expected a number, got ") + j.type_name());
  return j.get<double>();
}

std::int64_t JsonReader::integer(const Json& j, const std::string& path) const {
  if (!j.is_number_integer())
    format_error(path, std::string("expected an integer, got ") +
                           (j.is_number() ? j.dump() : j.type_name()));
  if (j.is_number_unsigned() && j.get<std::uint64_t>() > (1ull << 62))
    value_error(path, "integer too large: " + j.dump());
  return j.get<std::int64_t>();
}

std::int64_t JsonReader::non_negative(const Json& j, const std::string& path) const {
  std::int64_t v = integer(j, path);
  if (v < 0) value_error(path, "must be >= 0, got " + std::to_string(v));
  return v;
}

std::string JsonReader::string(const Json& j, const std::string& path) const {
  if (!j.is_string()) format_error(path, std::string("expected a string, got ") + j.type_name());
  return j.get<std::string>();
}

bool JsonReader::boolean(const Json& j, const std::string& path) const {
  if (!j.is_boolean())
    format_error(path, std::string("expected true or false, got ") + j.type_name());
  return j.get<bool>();
}

}  // namespace snn::io
