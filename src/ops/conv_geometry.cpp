#include "ops/conv_geometry.h"

#include <algorithm>
#include <cctype>

#include "ops/op_util.h"

namespace nabla::ops {
namespace {

std::string upper(std::string s) {
  for (char& ch : s) ch = char(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}

// An attribute list of 0, 1 or nsp positive values, expanded to nsp values.
void per_dim(const Attrs& a, const char* name, int nsp, int64_t fallback, int64_t* outv) {
  const std::vector<int64_t> v = int_list(a, name);
  NB_CHECK(v.empty() || v.size() == 1 || int(v.size()) == nsp, InvalidArgument, name,
           " must have 1 or ", nsp, " values (one per spatial dimension), got ", list_str(v));
  for (int d = 0; d < nsp; ++d) {
    const int64_t x = v.empty() ? fallback : v.size() == 1 ? v[0] : v[size_t(d)];
    NB_CHECK(x >= 1, InvalidArgument, name, " must be positive, got ", list_str(v));
    outv[d] = x;
  }
}

// Splits an input shape into batch, channels and spatial sizes.
void split_input(const Shape& x, bool cf, ConvGeometry& g, const char* what) {
  NB_CHECK(x.rank() >= 3 && x.rank() <= 2 + kMaxSpatial, InvalidArgument, what,
           " input must have rank 3, 4 or 5 (batch, spatial..., channels), got shape ", x.str());
  g.nsp = int(x.rank()) - 2;
  g.channels_first = cf;
  g.n = x[0];
  g.c_in = cf ? x[1] : x[size_t(x.rank() - 1)];
  for (int d = 0; d < g.nsp; ++d) g.in[d] = x[size_t(cf ? 2 + d : 1 + d)];
}

// Output sizes and paddings from in/k/stride/dil and the padding attribute.
void resolve_padding(ConvGeometry& g, const Attrs& a, const char* what, const std::string& shapes) {
  const std::string pad = normalize_padding(a.get_or<std::string>("padding", "VALID"));
  const std::vector<int64_t> ex = int_list(a, "explicit_paddings");
  if (pad == "EXPLICIT") {
    NB_CHECK(int(ex.size()) == 2 * g.nsp, InvalidArgument, what, ": explicit_paddings must have ", 2 * g.nsp,
             " values ((before, after) per spatial dimension), got ", list_str(ex));
  } else {
    NB_CHECK(ex.empty(), InvalidArgument, what, ": explicit_paddings given with padding '", pad,
             "' (use padding 'explicit')");
  }
  for (int d = 0; d < g.nsp; ++d) {
    const int64_t eff = (g.k[d] - 1) * g.dil[d] + 1;  // dilated window
    if (pad == "SAME") {
      g.out[d] = (g.in[d] + g.stride[d] - 1) / g.stride[d];
      const int64_t total = std::max<int64_t>((g.out[d] - 1) * g.stride[d] + eff - g.in[d], 0);
      g.pad_before[d] = total / 2;
      g.pad_after[d] = total - total / 2;
    } else {
      if (pad == "EXPLICIT") {
        g.pad_before[d] = ex[size_t(2 * d)];
        g.pad_after[d] = ex[size_t(2 * d + 1)];
        NB_CHECK(g.pad_before[d] >= 0 && g.pad_after[d] >= 0, InvalidArgument, what,
                 ": explicit_paddings must be non-negative, got ", list_str(ex));
      }
      const int64_t padded = g.in[d] + g.pad_before[d] + g.pad_after[d];
      NB_CHECK(padded >= eff, InvalidArgument, what, ": computed output size would be negative: spatial dimension ",
               d, " has size ", g.in[d], " (padded ", padded, ") but the ",
               g.dil[d] > 1 ? "dilated window" : "window", " has size ", eff, " (", shapes, ")");
      g.out[d] = (padded - eff) / g.stride[d] + 1;
    }
  }
}

}  // namespace

std::string normalize_padding(const std::string& padding) {
  const std::string p = upper(padding);
  NB_CHECK(p == "VALID" || p == "SAME" || p == "EXPLICIT", InvalidArgument,
           "padding must be 'valid', 'same' or 'explicit', got '", padding, "'");
  return p;
}

bool is_channels_first(const std::string& data_format) {
  const std::string f = upper(data_format);
  if (f == "CHANNELS_LAST" || f == "NWC" || f == "NHWC" || f == "NDHWC") return false;
  if (f == "CHANNELS_FIRST" || f == "NCW" || f == "NCHW" || f == "NCDHW") return true;
  throw InvalidArgument(detail::str_cat("data_format must be 'channels_last' or 'channels_first', got '",
                                        data_format, "'"));
}

Shape ConvGeometry::input_shape() const {
  Shape s{n};
  if (channels_first) s.push_back(c_in);
  for (int d = 0; d < nsp; ++d) s.push_back(in[d]);
  if (!channels_first) s.push_back(c_in);
  return s;
}

Shape ConvGeometry::output_shape() const {
  Shape s{n};
  if (channels_first) s.push_back(c_out);
  for (int d = 0; d < nsp; ++d) s.push_back(out[d]);
  if (!channels_first) s.push_back(c_out);
  return s;
}

Shape ConvGeometry::filter_shape() const {
  Shape s;
  for (int d = 0; d < nsp; ++d) s.push_back(k[d]);
  s.push_back(c_in / groups);
  s.push_back(c_out);
  return s;
}

ConvGeometry conv_geometry(const Shape& x, const Shape& w, const Attrs& a) {
  ConvGeometry g;
  split_input(x, is_channels_first(a.get_or<std::string>("data_format", "channels_last")), g, "convolution");
  NB_CHECK(w.rank() == x.rank(), InvalidArgument, "convolution: filters must have the input's rank ", x.rank(),
           " (spatial..., in_channels / groups, out_channels), got filters ", w.str(), " for input ", x.str());
  for (int d = 0; d < g.nsp; ++d) {
    g.k[d] = w[size_t(d)];
    NB_CHECK(g.k[d] >= 1, InvalidArgument, "convolution: filter spatial sizes must be positive, got filters ",
             w.str());
  }
  const int64_t fin = w[size_t(g.nsp)];
  NB_CHECK(g.c_in >= 1, InvalidArgument, "convolution: the input must have at least one channel, got shape ", x.str());
  g.c_out = w[size_t(g.nsp + 1)];
  NB_CHECK(fin >= 1 && g.c_out >= 1, InvalidArgument,
           "convolution: filters must have positive in/out channel counts, got filters ", w.str());
  NB_CHECK(g.c_in % fin == 0, InvalidArgument,
           "convolution: input depth must be evenly divisible by filter depth: ", g.c_in, " vs ", fin,
           " (input ", x.str(), ", filters ", w.str(), ")");
  g.groups = g.c_in / fin;
  NB_CHECK(g.c_out % g.groups == 0, InvalidArgument, "convolution: the number of filters (", g.c_out,
           ") must be a multiple of the number of groups (", g.groups, " = input depth ", g.c_in,
           " / filter depth ", fin, "; input ", x.str(), ", filters ", w.str(), ")");
  per_dim(a, "strides", g.nsp, 1, g.stride);
  per_dim(a, "dilations", g.nsp, 1, g.dil);
  resolve_padding(g, a, "convolution", detail::str_cat("input ", x.str(), ", filters ", w.str()));
  return g;
}

ConvGeometry pool_geometry(const Shape& x, const Attrs& a) {
  ConvGeometry g;
  split_input(x, is_channels_first(a.get_or<std::string>("data_format", "channels_last")), g, "pooling");
  g.c_out = g.c_in;
  g.groups = std::max<int64_t>(g.c_in, 1);
  NB_CHECK(!int_list(a, "ksize").empty(), InvalidArgument, "pooling: ksize (the pool size) is required");
  per_dim(a, "ksize", g.nsp, 1, g.k);
  per_dim(a, "strides", g.nsp, 1, g.stride);
  resolve_padding(g, a, "pooling", detail::str_cat("input ", x.str(), ", ksize ", list_str(int_list(a, "ksize"))));
  return g;
}

Attrs conv_attrs(const Attrs& a) {
  Attrs r;
  for (const char* k : {"strides", "dilations", "padding", "explicit_paddings", "data_format", "ksize"})
    if (const AttrValue* v = a.find(k)) r.set(k, *v);
  return r;
}

}  // namespace nabla::ops
