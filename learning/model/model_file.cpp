// Model files: the JSON reader (io/json_reader, located errors) and shape inference.
#include "learning/model/model_file.h"

#include <fstream>
#include <set>
#include <sstream>

#include "io/json_reader.h"
#include "sim/core/errors.h"

namespace snn::learning {
namespace {

using io::Json;
using io::JsonReader;

const char* const kTypes =
    "Flatten, Linear, Conv2d, BatchNorm1d, BatchNorm2d, LayerNorm, LocalResponseNorm, MaxPool2d, "
    "AvgPool2d, "
    "GlobalAvgPool, Dropout, LIF, IF, SpikingResNetBlock, SEWResNetBlock";

std::string shape_text(const std::vector<std::int64_t>& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) out += (i ? "×" : "") + std::to_string(s[i]);
  return out;
}

/// A field's value or nullptr.
const Json* get(const Json& obj, const char* key) {
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

class LayerReader {
 public:
  LayerReader(const JsonReader& r, const Json& obj, const std::string& path)
      : r_(r), obj_(obj), path_(path) {}

  int positive(const char* key, int fallback, bool required = false) const {
    const Json* j = get(obj_, key);
    if (!j) {
      if (required) r_.format_error(path_, std::string("missing field '") + key + "'");
      return fallback;
    }
    const std::string at = JsonReader::field(path_, key);
    const std::int64_t v = r_.integer(*j, at);
    if (v < 1 || v > (1 << 30)) r_.value_error(at, "must be >= 1, got " + std::to_string(v));
    return int(v);
  }
  int non_negative(const char* key, int fallback) const {
    const Json* j = get(obj_, key);
    if (!j) return fallback;
    const std::string at = JsonReader::field(path_, key);
    const std::int64_t v = r_.non_negative(*j, at);
    if (v > (1 << 30)) r_.value_error(at, "too large: " + std::to_string(v));
    return int(v);
  }
  double number(const char* key, double fallback) const {
    const Json* j = get(obj_, key);
    return j ? r_.number(*j, JsonReader::field(path_, key)) : fallback;
  }
  bool boolean(const char* key, bool fallback) const {
    const Json* j = get(obj_, key);
    return j ? r_.boolean(*j, JsonReader::field(path_, key)) : fallback;
  }
  std::optional<double> opt_number(const char* key) const {
    const Json* j = get(obj_, key);
    if (!j) return std::nullopt;
    return r_.number(*j, JsonReader::field(path_, key));
  }
  std::optional<bool> opt_boolean(const char* key) const {
    const Json* j = get(obj_, key);
    if (!j) return std::nullopt;
    return r_.boolean(*j, JsonReader::field(path_, key));
  }
  std::string string(const char* key, const std::string& fallback) const {
    const Json* j = get(obj_, key);
    return j ? r_.string(*j, JsonReader::field(path_, key)) : fallback;
  }
  const JsonReader& r() const { return r_; }
  std::string at(const char* key) const { return JsonReader::field(path_, key); }

 private:
  const JsonReader& r_;
  const Json& obj_;
  std::string path_;
};

NeuronOverrides read_neuron(const LayerReader& f, bool lif) {
  NeuronOverrides n;
  if (lif) {
    n.tau = f.opt_number("tau");
    if (n.tau && !(*n.tau > 1))
      f.r().value_error(f.at("tau"), "tau must be > 1 (SpikingJelly's LIF requires it), got " +
                                         std::to_string(*n.tau));
    n.decay_input = f.opt_boolean("decay_input");
  }
  n.v_threshold = f.opt_number("v_threshold");
  n.v_reset = f.opt_number("v_reset");
  n.soft_reset = f.opt_boolean("soft_reset");
  n.detach_reset = f.opt_boolean("detach_reset");
  const std::string s = f.string("surrogate", "");
  if (!s.empty()) {
    if (s != "atan" && s != "sigmoid" && s != "piecewise_quadratic" && s != "soft_sign")
      f.r().value_error(f.at("surrogate"),
                        "unknown surrogate '" + s +
                            "' (expected atan, sigmoid, piecewise_quadratic or soft_sign)");
    n.surrogate = s;
  }
  n.alpha = f.opt_number("alpha");
  if (n.alpha && !(*n.alpha > 0))
    f.r().value_error(f.at("alpha"), "alpha must be > 0, got " + std::to_string(*n.alpha));
  return n;
}

LayerSpec read_layer(const JsonReader& r, const Json& obj, const std::string& path) {
  r.object(obj, path);
  LayerSpec L;
  L.path = path;
  L.type = r.string(r.need(obj, path, "type"), JsonReader::field(path, "type"));
  const LayerReader f(r, obj, path);
  L.name = f.string("name", "");
  const std::string& t = L.type;
#define NEURON_FIELDS "v_threshold", "v_reset", "soft_reset", "detach_reset", "surrogate", "alpha"
  if (t == "Flatten" || t == "GlobalAvgPool") {
    r.only(obj, path, {"type", "name"});
  } else if (t == "Linear") {
    r.only(obj, path, {"type", "name", "in_features", "out_features", "bias", "weight_norm"});
    L.weight_norm = f.boolean("weight_norm", false);
    L.declared_in = f.positive("in_features", 0);
    const Json& out = r.need(obj, path, "out_features");
    if (out.is_string()) {
      if (out.get<std::string>() != "classes")
        r.value_error(f.at("out_features"),
                      "expected a number or \"classes\", got '" + out.get<std::string>() + "'");
      L.out_is_classes = true;
    } else {
      L.out = f.positive("out_features", 0, true);
    }
    L.bias = f.boolean("bias", true);
  } else if (t == "Conv2d") {
    r.only(obj, path,
           {"type", "name", "in_channels", "out_channels", "kernel_size", "stride", "padding",
            "bias"});
    L.declared_in = f.positive("in_channels", 0);
    L.out = f.positive("out_channels", 0, true);
    L.kernel = f.positive("kernel_size", 0, true);
    L.stride = f.positive("stride", 1);
    L.padding = f.non_negative("padding", 0);
    L.bias = f.boolean("bias", true);
  } else if (t == "BatchNorm1d" || t == "BatchNorm2d") {
    r.only(obj, path, {"type", "name", "num_features", "eps", "momentum"});
    L.declared_in = f.positive("num_features", 0);
    L.eps = f.number("eps", 1e-5);
    L.momentum = f.number("momentum", 0.1);
    if (!(L.eps > 0)) r.value_error(f.at("eps"), "eps must be > 0, got " + std::to_string(L.eps));
    if (!(L.momentum >= 0 && L.momentum <= 1))
      r.value_error(f.at("momentum"),
                    "momentum must be in [0, 1], got " + std::to_string(L.momentum));
  } else if (t == "LayerNorm") {
    r.only(obj, path, {"type", "name", "normalized_shape", "eps"});
    if (const Json* ns = get(obj, "normalized_shape")) {
      const std::string at = f.at("normalized_shape");
      std::int64_t prod = 1;
      if (ns->is_array()) {
        for (std::size_t i = 0; i < ns->size(); ++i) {
          const std::int64_t d = r.integer((*ns)[i], JsonReader::item(at, i));
          if (d < 1)
            r.value_error(JsonReader::item(at, i), "must be >= 1, got " + std::to_string(d));
          prod *= d;
        }
      } else {
        prod = f.positive("normalized_shape", 0);
      }
      if (prod > (1 << 30)) r.value_error(at, "too large");
      L.declared_in = int(prod);
    }
    L.eps = f.number("eps", 1e-5);
    if (!(L.eps > 0)) r.value_error(f.at("eps"), "eps must be > 0, got " + std::to_string(L.eps));
  } else if (t == "LocalResponseNorm") {
    r.only(obj, path, {"type", "name", "size", "alpha", "beta", "k"});
    L.size = f.positive("size", 0, true);
    L.alpha = f.number("alpha", 1e-4);
    L.beta = f.number("beta", 0.75);
    L.k = f.number("k", 1.0);
    if (!(L.alpha >= 0))
      r.value_error(f.at("alpha"), "alpha must be >= 0, got " + std::to_string(L.alpha));
    if (!(L.beta >= 0))
      r.value_error(f.at("beta"), "beta must be >= 0, got " + std::to_string(L.beta));
    if (!(L.k > 0)) r.value_error(f.at("k"), "k must be > 0, got " + std::to_string(L.k));
  } else if (t == "MaxPool2d" || t == "AvgPool2d") {
    r.only(obj, path, {"type", "name", "kernel_size", "stride", "padding"});
    L.kernel = f.positive("kernel_size", 0, true);
    L.stride = f.positive("stride", L.kernel);
    L.padding = f.non_negative("padding", 0);
    if (L.padding > L.kernel / 2)
      r.value_error(f.at("padding"), "padding must be at most half the kernel size (" +
                                         std::to_string(L.kernel / 2) + "), got " +
                                         std::to_string(L.padding));
  } else if (t == "Dropout") {
    r.only(obj, path, {"type", "name", "p"});
    L.p = f.number("p", 0.5);
    if (!(L.p >= 0 && L.p < 1))
      r.value_error(f.at("p"), "p must be in [0, 1), got " + std::to_string(L.p));
  } else if (t == "LIF") {
    r.only(obj, path, {"type", "name", "tau", "decay_input", NEURON_FIELDS});
    L.neuron = read_neuron(f, true);
  } else if (t == "IF") {
    r.only(obj, path, {"type", "name", NEURON_FIELDS});
    L.neuron = read_neuron(f, false);
  } else if (t == "SpikingResNetBlock" || t == "SEWResNetBlock") {
    if (t == "SEWResNetBlock")
      r.only(obj, path,
             {"type", "name", "in_channels", "out_channels", "stride", "blocks", "connect", "tau",
              "decay_input", NEURON_FIELDS});
    else
      r.only(obj, path,
             {"type", "name", "in_channels", "out_channels", "stride", "blocks", "shortcut_bn",
              "tau", "decay_input", NEURON_FIELDS});
    L.declared_in = f.positive("in_channels", 0);
    L.out = f.positive("out_channels", 0, true);
    L.stride = f.positive("stride", 1);
    L.blocks = f.positive("blocks", 1);
    L.connect = f.string("connect", "add");
    if (L.connect != "add" && L.connect != "and" && L.connect != "iand")
      r.value_error(f.at("connect"),
                    "unknown connect function '" + L.connect + "' (expected add, and or iand)");
    L.shortcut_bn = f.boolean("shortcut_bn", true);
    L.neuron = read_neuron(f, true);
  } else {
    r.format_error(JsonReader::field(path, "type"),
                   "unknown layer type '" + t + "' (expected one of: " + kTypes + ")");
  }
#undef NEURON_FIELDS
  return L;
}

}  // namespace

std::string ModelFile::where(const std::string& path) const {
  auto it = lines.find(path);
  std::string at = source + (it != lines.end() ? ":" + std::to_string(it->second) : "");
  return path.empty() ? at : at + ": " + path;
}

bool is_spatial_layer(const std::string& t) {
  return t == "Conv2d" || t == "BatchNorm2d" || t == "MaxPool2d" || t == "AvgPool2d" ||
         t == "GlobalAvgPool" || t == "SpikingResNetBlock" || t == "SEWResNetBlock";
}

ModelFile parse_model_json(const std::string& text, const std::string& source) {
  io::LocatedJson doc = io::parse_located_json(text, source);
  ModelFile m;
  m.source = source;
  m.text = text;
  m.lines = std::move(doc.lines);
  const JsonReader r(m.source, m.lines);
  const Json& root = r.object(doc.root, "");
  r.only(root, "", {"description", "encoder", "seeding", "layers"});
  if (const Json* d = get(root, "description")) m.description = r.string(*d, "description");
  if (const Json* e = get(root, "encoder")) {
    m.encoder = r.string(*e, "encoder");
    if (m.encoder != "poisson" && m.encoder != "direct")
      r.value_error("encoder", "encoder must be poisson or direct, got '" + m.encoder + "'");
  }
  if (const Json* s = get(root, "seeding")) {
    m.seeding = r.string(*s, "seeding");
    if (m.seeding != "layers" && m.seeding != "fc")
      r.value_error("seeding", "seeding must be layers or fc, got '" + m.seeding + "'");
  }
  const Json& layers = r.array(r.need(root, "", "layers"), "layers");
  if (layers.empty()) r.value_error("layers", "a network needs at least one layer");
  for (std::size_t i = 0; i < layers.size(); ++i)
    m.layers.push_back(read_layer(r, layers[i], JsonReader::item("layers", i)));

  // Default names as PyTorch's nn.Sequential would not give them but checkpoints need: unique,
  // by kind and index (fc0, fc1 ... as the built-in fc network; conv0, bn0, ln0, layer1 ...).
  std::map<std::string, int> counters;
  std::set<std::string> used;
  for (LayerSpec& L : m.layers) {
    std::string prefix;
    if (L.type == "Linear")
      prefix = "fc";
    else if (L.type == "Conv2d")
      prefix = "conv";
    else if (L.type == "BatchNorm1d" || L.type == "BatchNorm2d")
      prefix = "bn";
    else if (L.type == "LayerNorm")
      prefix = "ln";
    else if (L.type == "SpikingResNetBlock" || L.type == "SEWResNetBlock")
      prefix = "layer";
    if (prefix.empty()) continue;  // no parameters: the name is not used
    const int k = counters[prefix]++;
    const bool given = !L.name.empty();
    if (!given) L.name = prefix + std::to_string(prefix == "layer" ? k + 1 : k);
    if (!used.insert(L.name).second)
      r.value_error(given ? JsonReader::field(L.path, "name") : L.path,
                    "layer name '" + L.name + "' is used twice (parameter names must be unique)");
  }
  return m;
}

ModelFile read_model_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw IoError("cannot read model file '" + path + "'");
  std::ostringstream s;
  s << f.rdbuf();
  if (f.bad()) throw IoError("cannot read model file '" + path + "'");
  return parse_model_json(s.str(), path);
}

void resolve_model_file(ModelFile& m, int channels, int rows, int cols, int classes) {
  require(channels >= 1 && rows >= 1 && cols >= 1 && classes >= 1,
          m.source + ": input must be at least 1×1×1 with >= 1 class");
  std::vector<std::int64_t> cur{channels, rows, cols};
  auto fail = [&](const std::string& path, const std::string& msg) {
    throw InvalidParameter(m.where(path) + ": " + msg);
  };
  auto spatial = [&](const LayerSpec& L) {
    if (cur.size() != 3)
      fail(L.path, L.type + " needs a C×H×W input, got " + std::to_string(cur[0]) +
                       " features (it must come before the Flatten)");
  };
  auto flat = [&](const LayerSpec& L) {
    if (cur.size() != 1)
      fail(L.path, L.type + " needs a flat input, got " + shape_text(cur) +
                       " (add a Flatten or GlobalAvgPool before it)");
  };
  auto check_in = [&](const LayerSpec& L, const char* field, std::int64_t actual) {
    if (L.declared_in && L.declared_in != actual)
      fail(JsonReader::field(L.path, field), L.type + " declares " + std::to_string(L.declared_in) +
                                                 " but gets " + std::to_string(actual) +
                                                 " from the input " + shape_text(cur));
  };
  auto out_size = [&](const LayerSpec& L, std::int64_t in, int k, int s, int p, const char* dim) {
    const std::int64_t o = (in + 2 * p - k) / s + 1;
    if (in + 2 * p < k || o < 1)
      fail(JsonReader::field(L.path, "kernel_size"),
           L.type + " kernel " + std::to_string(k) + " is larger than its padded input " + dim +
               " " + std::to_string(in + 2 * p) + " (input " + shape_text(cur) + ")");
    return o;
  };
  for (LayerSpec& L : m.layers) {
    const std::string& t = L.type;
    if (t == "Flatten") {
      cur = {cur[0] * (cur.size() == 3 ? cur[1] * cur[2] : 1)};
    } else if (t == "Linear") {
      flat(L);
      check_in(L, "in_features", cur[0]);
      L.in = int(cur[0]);
      if (L.out_is_classes) L.out = classes;
      cur = {L.out};
    } else if (t == "Conv2d") {
      spatial(L);
      check_in(L, "in_channels", cur[0]);
      L.in = int(cur[0]);
      cur = {L.out, out_size(L, cur[1], L.kernel, L.stride, L.padding, "height"),
             out_size(L, cur[2], L.kernel, L.stride, L.padding, "width")};
    } else if (t == "BatchNorm2d") {
      spatial(L);
      check_in(L, "num_features", cur[0]);
      L.in = L.out = int(cur[0]);
    } else if (t == "BatchNorm1d") {
      flat(L);
      check_in(L, "num_features", cur[0]);
      L.in = L.out = int(cur[0]);
    } else if (t == "LayerNorm") {
      std::int64_t n = 1;
      for (auto d : cur) n *= d;
      check_in(L, "normalized_shape", n);
      L.in = L.out = int(n);
    } else if (t == "MaxPool2d" || t == "AvgPool2d") {
      spatial(L);
      cur = {cur[0], out_size(L, cur[1], L.kernel, L.stride, L.padding, "height"),
             out_size(L, cur[2], L.kernel, L.stride, L.padding, "width")};
    } else if (t == "GlobalAvgPool") {
      spatial(L);
      cur = {cur[0]};
    } else if (t == "SpikingResNetBlock" || t == "SEWResNetBlock") {
      spatial(L);
      check_in(L, "in_channels", cur[0]);
      L.in = int(cur[0]);
      // conv3×3, padding 1, the stage's stride on its first block
      cur = {L.out, (cur[1] - 1) / L.stride + 1, (cur[2] - 1) / L.stride + 1};
    } else if (t == "LocalResponseNorm") {
      L.in = L.out = int(cur[0]);  // across channels (or the features of a flat input)
    }                              // Dropout, LIF, IF keep the shape
    L.out_shape = cur;
  }
  const LayerSpec& last = m.layers.back();
  if (cur.size() != 1 || cur[0] != classes)
    fail(last.path, "the network ends with " + shape_text(cur) + " outputs but the data has " +
                        std::to_string(classes) + " classes (a Linear with out_features " +
                        std::to_string(classes) + " or \"classes\" last)");
}

}  // namespace snn::learning
