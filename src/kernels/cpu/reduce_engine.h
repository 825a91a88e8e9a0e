// The CPU reduction engine behind ReduceSum/Mean/Max/Min/Prod/Any/All and
// ReduceLogSumExp. A reduction is described by a Reducer:
//
//   struct R { using In; using Acc; using Out;
//              static constexpr bool kCascade;    // pairwise/cascaded combination
//              static Acc init(); static Acc map(In); static Acc combine(Acc, Acc);
//              static Out finalize(Acc, int64_t count); };
//
// The input view (any strides: negative, zero) is simplified into kept and
// reduced dimensions (size-1 dims dropped, negative strides flipped, dims
// ordered by stride and merged where contiguous). Then one of two loops runs:
//  - inner reduction (the smallest-stride dim is reduced): one accumulator per
//    output, rows reduced with many independent accumulators (vectorised) and
//    combined pairwise (leaves of kLeaf elements), parallel over outputs;
//  - outer reduction (the smallest-stride dim is kept): whole rows of output
//    columns accumulated with vector operations, in cascaded levels of
//    kCascade rows for accuracy, parallel over column blocks.
// When there are few outputs and much to reduce, the reduced range is cut into
// chunks whose size depends only on the shape; partial results are combined
// in a fixed order, so results never depend on timing or the thread count.
#pragma once
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <vector>

#include "nabla/core/tensor.h"
#include "nabla/core/thread_pool.h"

namespace nabla::cpu {

struct ReducePlan {
  static constexpr int kMaxDims = 16;
  int nk = 0;  // kept dims, outer -> inner (by input stride)
  int nr = 0;  // reduced dims, outer -> inner
  int64_t ksize[kMaxDims] = {}, kin[kMaxDims] = {}, kout[kMaxDims] = {};
  int64_t rsize[kMaxDims] = {}, rin[kMaxDims] = {};
  int64_t in_off = 0, out_off = 0;  // element offsets after flipping negative strides
  int64_t M = 1;                    // number of outputs
  int64_t R = 1;                    // elements reduced into each output
  bool inner_reduced = true;        // smallest-stride dim is a reduced one

  // Element offsets (relative to the data pointers) of output m's first
  // input element and of output m itself.
  int64_t in_offset(int64_t m) const {
    int64_t off = in_off;
    for (int d = nk - 1; d >= 0; --d) {
      off += (m % ksize[d]) * kin[d];
      m /= ksize[d];
    }
    return off;
  }
  int64_t out_offset(int64_t m) const {
    int64_t off = out_off;
    for (int d = nk - 1; d >= 0; --d) {
      off += (m % ksize[d]) * kout[d];
      m /= ksize[d];
    }
    return off;
  }
};

// Builds the plan for reducing `x` over the normalised `axes` into a
// contiguous output holding the kept dims in order (keepdims or not).
ReducePlan make_reduce_plan(const Tensor& x, const std::vector<int64_t>& axes);

namespace reduce_detail {

inline constexpr int64_t kLeaf = 16384;     // elements per leaf of the pairwise tree (contiguous)
inline constexpr int64_t kLeafStrided = 256; // the same for strided runs (two accumulators)
inline constexpr int64_t kSpanLeaf = 4096;   // elements per leaf when a leaf spans several rows
inline constexpr int64_t kColChunk = 256;   // column block of the split rule (outer reductions)
inline constexpr int64_t kMaxCols = 4096;   // widest column block of an outer-reduction task
inline constexpr int64_t kWidenMax = 32;    // rows narrower than this are taken several at a time
inline constexpr int kCascade = 64;         // rows per cascade level
inline constexpr int kLevels = 4;
inline constexpr int64_t kSplitMin = 65536; // elements per chunk when splitting the reduced range
inline constexpr int64_t kGrain = 32768;    // elements per parallel task, at least

template <typename Red> struct Rows {
  using T = typename Red::In;
  using Acc = typename Red::Acc;
  // Independent accumulators: four vector registers' worth.
  static constexpr int K = int(256 / sizeof(Acc)) > 64 ? 64 : int(256 / sizeof(Acc));

  // Lanes of K accumulators. add_lanes folds a contiguous run into them (the
  // tail into the first lanes); fold combines them pairwise.
  static void init_lanes(Acc* a) {
    for (int j = 0; j < K; ++j) a[j] = Red::init();
  }
  static void add_lanes(Acc* __restrict a, const T* __restrict x, int64_t n) {
    int64_t i = 0;
    for (; i + K <= n; i += K)
      for (int j = 0; j < K; ++j) a[j] = Red::combine(a[j], Red::map(x[i + j]));
    for (int j = 0; i < n; ++i, ++j) a[j] = Red::combine(a[j], Red::map(x[i]));
  }
  static Acc fold(Acc* a) {
    for (int w = K / 2; w > 0; w /= 2)
      for (int j = 0; j < w; ++j) a[j] = Red::combine(a[j], a[j + w]);
    return a[0];
  }

  // Contiguous run reduced in L lanes held in registers.
  template <int L> static Acc leaf_lanes(const T* __restrict x, int64_t n) {
    Acc a[L];
    for (int j = 0; j < L; ++j) a[j] = Red::init();
    int64_t i = 0;
    for (; i + L <= n; i += L)
      for (int j = 0; j < L; ++j) a[j] = Red::combine(a[j], Red::map(x[i + j]));
    Acc t = Red::init();
    for (; i < n; ++i) t = Red::combine(t, Red::map(x[i]));
    for (int w = L / 2; w > 0; w /= 2)
      for (int j = 0; j < w; ++j) a[j] = Red::combine(a[j], a[j + w]);
    return Red::combine(a[0], t);
  }
  // Fewer lanes for short runs: cheaper to set up and fold.
  static constexpr int KS = K / 4 > 4 ? K / 4 : 4;

  static Acc leaf(const T* __restrict x, int64_t n, int64_t s) {
    if (s == 1 && n >= 16 * K) return leaf_lanes<K>(x, n);
    if (s == 1 && n >= KS) return leaf_lanes<KS>(x, n);
    Acc a0 = Red::init(), a1 = Red::init();
    int64_t i = 0;
    for (; i + 2 <= n; i += 2) {
      a0 = Red::combine(a0, Red::map(x[i * s]));
      a1 = Red::combine(a1, Red::map(x[(i + 1) * s]));
    }
    if (i < n) a0 = Red::combine(a0, Red::map(x[i * s]));
    return Red::combine(a0, a1);
  }
  // Reduces x[0], x[s], ... x[(n-1)s]; pairwise above kLeaf (contiguous,
  // K lanes: at most kLeaf / K sequential steps per lane) or kLeafStrided elements.
  static Acc row(const T* x, int64_t n, int64_t s) {
    if (n <= (s == 1 ? kLeaf : kLeafStrided)) return leaf(x, n, s);
    const int64_t h = (n / 2) / K * K;
    return Red::combine(row(x, h, s), row(x + h * s, n - h, s));
  }
  // acc[j] = combine(acc[j], x[j*s]) for j < w.
  static void cols(Acc* __restrict acc, const T* __restrict x, int64_t w, int64_t s) {
    if (s == 1) {
      for (int64_t j = 0; j < w; ++j) acc[j] = Red::combine(acc[j], Red::map(x[j]));
    } else {
      for (int64_t j = 0; j < w; ++j) acc[j] = Red::combine(acc[j], Red::map(x[j * s]));
    }
  }
};

// Calls body(t) for every t in [0, n) on the thread pool, handing the indices
// out one at a time, so a thread that is descheduled (a busy machine) holds
// back at most one block instead of a fixed share of the work.
template <typename F> void dynamic_for(int64_t n, F&& body) {
  if (n <= 0) return;
  const int64_t nt = std::min<int64_t>(get_num_threads(), n);
  if (nt <= 1) {
    for (int64_t t = 0; t < n; ++t) body(t);
    return;
  }
  std::atomic<int64_t> next{0};
  parallel_for(0, nt, 1, [&](int64_t, int64_t) {
    for (int64_t t = next.fetch_add(1, std::memory_order_relaxed); t < n;
         t = next.fetch_add(1, std::memory_order_relaxed))
      body(t);
  });
}

// Pairwise combination of v[0], v[stride], ... v[(n-1)*stride] (n >= 1), in place.
template <typename Red>
typename Red::Acc tree(typename Red::Acc* v, int64_t n, int64_t stride) {
  for (int64_t w = 1; w < n; w *= 2)
    for (int64_t i = 0; i + w < n; i += 2 * w) v[i * stride] = Red::combine(v[i * stride], v[(i + w) * stride]);
  return v[0];
}

template <typename Red> class Runner {
 public:
  using T = typename Red::In;
  using Acc = typename Red::Acc;
  using Out = typename Red::Out;
  using RowOps = Rows<Red>;

  Runner(const ReducePlan& p, const T* x, Out* out) : p_(p), x_(x + p.in_off), out_(out + p.out_off) {}

  void run() {
    if (p_.inner_reduced) run_inner();
    else run_outer();
  }

 private:
  // ---- inner reduction: one accumulator per output --------------------------
  void run_inner() {
    const int64_t M = p_.M, R = p_.R;
    if (M < 16 && R >= 2 * kSplitMin) {
      const int64_t G = std::min<int64_t>(64, R / kSplitMin);
      const int64_t CR = (R + G - 1) / G;
      const int64_t ng = (R + CR - 1) / CR;
      std::vector<Acc> part(size_t(M * ng));
      dynamic_for(M * ng, [&](int64_t t) {
        const int64_t m = t / ng, g = t % ng;
        part[size_t(t)] = span(kept_ptr(m), g * CR, std::min(R, (g + 1) * CR));
      });
      for (int64_t m = 0; m < M; ++m)
        *out_ptr(m) = Red::finalize(tree<Red>(part.data() + m * ng, ng, 1), R);
      return;
    }
    const int64_t grain = std::max<int64_t>(1, kGrain / std::max<int64_t>(R, 1));
    dynamic_for((M + grain - 1) / grain,
                [&](int64_t b) { inner_outputs(b * grain, std::min(M, (b + 1) * grain)); });
  }

  // Input/output pointers of output m.
  const T* kept_ptr(int64_t m) const { return x_ + (p_.in_offset(m) - p_.in_off); }
  Out* out_ptr(int64_t m) const { return out_ + (p_.out_offset(m) - p_.out_off); }

  void inner_outputs(int64_t mb, int64_t me) {
    const int nk = p_.nk;
    int64_t idx[ReducePlan::kMaxDims] = {};
    int64_t rem = mb;
    const T* q = x_;
    Out* o = out_;
    for (int d = nk - 1; d >= 0; --d) {
      idx[d] = rem % p_.ksize[d];
      rem /= p_.ksize[d];
      q += idx[d] * p_.kin[d];
      o += idx[d] * p_.kout[d];
    }
    const int64_t R = p_.R;
    const int64_t inner_n = nk ? p_.ksize[nk - 1] : 1;
    const int64_t inner_in = nk ? p_.kin[nk - 1] : 0, inner_out = nk ? p_.kout[nk - 1] : 0;
    int64_t m = mb;
    while (m < me) {
      const int64_t len = std::min(inner_n - (nk ? idx[nk - 1] : 0), me - m);
      for (int64_t i = 0; i < len; ++i) o[i * inner_out] = Red::finalize(span(q + i * inner_in, 0, R), R);
      m += len;
      if (m >= me) break;
      q += len * inner_in;
      o += len * inner_out;
      idx[nk - 1] += len;
      for (int d = nk - 1; d > 0 && idx[d] == p_.ksize[d]; --d) {
        q += p_.kin[d - 1] - p_.ksize[d] * p_.kin[d];
        o += p_.kout[d - 1] - p_.ksize[d] * p_.kout[d];
        idx[d] = 0;
        ++idx[d - 1];
      }
    }
  }

  // Position of flat reduced index rb from `base`: fills the multi-index
  // idx[0..nr) and returns the element pointer.
  const T* seek_reduced(const T* base, int64_t rb, int64_t* idx) const {
    const T* q = base;
    for (int d = p_.nr - 1; d >= 0 && rb != 0; --d) {
      idx[d] = rb % p_.rsize[d];
      rb /= p_.rsize[d];
      q += idx[d] * p_.rin[d];
    }
    return q;
  }

  // Reduces the flat reduced-index range [rb, re) starting at `base`.
  Acc span(const T* base, int64_t rb, int64_t re) const {
    const int nr = p_.nr;
    const int64_t n_in = p_.rsize[nr - 1], s_in = p_.rin[nr - 1];
    if (nr == 1) return RowOps::row(base + rb * s_in, re - rb, s_in);
    if (Red::kCascade && re - rb > 2 * kSpanLeaf) {
      const int64_t mid = rb + (re - rb) / 2;
      return Red::combine(span(base, rb, mid), span(base, mid, re));
    }
    int64_t idx[ReducePlan::kMaxDims] = {};
    const T* q = seek_reduced(base, rb, idx);
    // Contiguous rows share one set of lanes (no horizontal sum per row).
    const bool lanes = s_in == 1 && re - rb >= RowOps::K;
    Acc lane[RowOps::K];
    if (lanes) RowOps::init_lanes(lane);
    Acc a = Red::init();
    int64_t pos = rb;
    for (;;) {
      const int64_t len = std::min(n_in - idx[nr - 1], re - pos);
      if (lanes) RowOps::add_lanes(lane, q, len);
      else a = Red::combine(a, RowOps::row(q, len, s_in));
      pos += len;
      if (pos >= re) break;
      q += len * s_in;
      idx[nr - 1] += len;
      for (int d = nr - 1; d > 0 && idx[d] == p_.rsize[d]; --d) {
        q += p_.rin[d - 1] - p_.rsize[d] * p_.rin[d];
        idx[d] = 0;
        ++idx[d - 1];
      }
    }
    return lanes ? RowOps::fold(lane) : a;
  }

  // ---- outer reduction: rows of output columns accumulated together ---------
  // Columns are processed in blocks of cw; how the columns are blocked does
  // not change any column's order of accumulation, so cw may follow the
  // thread count. Splitting the reduced range (which does change it) is
  // decided from the shape alone.
  void run_outer() {
    const int nk = p_.nk;
    const int64_t W = p_.ksize[nk - 1];
    const int64_t Mo = p_.M / W;
    const int64_t R = p_.R;
    const int64_t nt = get_num_threads();
    int64_t cw = std::min(W, kMaxCols);
    if (W > kWidenMax && Mo < nt) cw = std::min(cw, ((W + nt - 1) / nt + 15) / 16 * 16);
    const int64_t nc = (W + cw - 1) / cw;
    const int64_t tasks = Mo * nc;
    const int64_t ls = std::max<int64_t>(cw, 2 * kWidenMax);  // scratch per cascade level
    // Shape-only split rule (in units of kColChunk-wide blocks).
    const int64_t blocks = Mo * ((W + kColChunk - 1) / kColChunk);
    const int64_t per_block = R * std::min(W, kColChunk);
    if (blocks < 16 && per_block >= 2 * kSplitMin) {
      const int64_t G = std::min<int64_t>(64, per_block / kSplitMin);
      const int64_t CR = (R + G - 1) / G;
      const int64_t ng = (R + CR - 1) / CR;
      // part[(task * ng + g) * cw + j]
      std::vector<Acc> part(size_t(tasks * ng * cw));
      dynamic_for(tasks * ng, [&](int64_t t) {
        thread_local std::vector<Acc> scratch;
        scratch.resize(size_t(kLevels * ls));
        const int64_t task = t / ng, g = t % ng;
        const int64_t o = task / nc, c0 = (task % nc) * cw;
        outer_task(o, c0, std::min(cw, W - c0), g * CR, std::min(R, (g + 1) * CR), scratch.data(), ls,
                   part.data() + t * cw);
      });
      for (int64_t task = 0; task < tasks; ++task) {
        const int64_t o = task / nc, c0 = (task % nc) * cw;
        const int64_t w = std::min(cw, W - c0);
        Acc* base = part.data() + task * ng * cw;
        for (int64_t j = 0; j < w; ++j) tree<Red>(base + j, ng, cw);
        write_cols(o, c0, w, base);
      }
      return;
    }
    const int64_t grain = std::max<int64_t>(1, kGrain / std::max<int64_t>(R * cw, 1));
    dynamic_for((tasks + grain - 1) / grain, [&](int64_t b) {
      thread_local std::vector<Acc> scratch;
      scratch.resize(size_t(kLevels * ls + cw));
      Acc* res = scratch.data() + kLevels * ls;
      for (int64_t task = b * grain; task < std::min(tasks, (b + 1) * grain); ++task) {
        const int64_t o = task / nc, c0 = (task % nc) * cw;
        const int64_t w = std::min(cw, W - c0);
        outer_task(o, c0, w, 0, R, scratch.data(), ls, res);
        write_cols(o, c0, w, res);
      }
    });
  }

  // Outer kept index o (all kept dims but the innermost): input/output offsets.
  void outer_offsets(int64_t o, int64_t& in, int64_t& out) const {
    in = out = 0;
    for (int d = p_.nk - 2; d >= 0; --d) {
      const int64_t i = o % p_.ksize[d];
      o /= p_.ksize[d];
      in += i * p_.kin[d];
      out += i * p_.kout[d];
    }
  }

  void write_cols(int64_t o, int64_t c0, int64_t w, const Acc* res) const {
    int64_t in_off, out_off;
    outer_offsets(o, in_off, out_off);
    const int64_t ow = p_.kout[p_.nk - 1];
    Out* dst = out_ + out_off + c0 * ow;
    const int64_t R = p_.R;
    if (ow == 1) {
      for (int64_t j = 0; j < w; ++j) dst[j] = Red::finalize(res[j], R);
    } else {
      for (int64_t j = 0; j < w; ++j) dst[j * ow] = Red::finalize(res[j], R);
    }
  }

  // Accumulates columns [c0, c0+w) of outer index o over reduced rows [rb, re)
  // into res[0..w). `lvbuf` holds kLevels cascade levels of `ls` entries.
  void outer_task(int64_t o, int64_t c0, int64_t w, int64_t rb, int64_t re, Acc* lvbuf, int64_t ls,
                  Acc* res) const {
    int64_t in_off, out_off;
    outer_offsets(o, in_off, out_off);
    const int64_t W = p_.ksize[p_.nk - 1], sw = p_.kin[p_.nk - 1];
    const T* base = x_ + in_off + c0 * sw;
    const int nr = p_.nr;
    const int64_t n_in = p_.rsize[nr - 1], s_in = p_.rin[nr - 1];
    // Short contiguous rows that follow each other: take k rows as one wide row.
    const bool widen = sw == 1 && w == W && s_in == W && W <= kWidenMax;
    const int64_t k = widen ? (2 * kWidenMax) / W : 1;
    const int64_t width = w * k;

    Acc* lv[kLevels];
    for (int l = 0; l < kLevels; ++l) lv[l] = lvbuf + l * ls;
    int cnt[kLevels] = {};
    int used = 1;
    for (int64_t j = 0; j < width; ++j) lv[0][j] = Red::init();
    auto bump = [&] {
      if constexpr (Red::kCascade) {
        for (int l = 0; l + 1 < kLevels; ++l) {
          if (++cnt[l] < kCascade) return;
          cnt[l] = 0;
          if (used == l + 1) {
            for (int64_t j = 0; j < width; ++j) lv[l + 1][j] = Red::init();
            used = l + 2;
          }
          for (int64_t j = 0; j < width; ++j) {
            lv[l + 1][j] = Red::combine(lv[l + 1][j], lv[l][j]);
            lv[l][j] = Red::init();
          }
        }
      }
    };

    int64_t idx[ReducePlan::kMaxDims] = {};
    const T* q = seek_reduced(base, rb, idx);
    int64_t pos = rb;
    while (pos < re) {
      const int64_t len = std::min(n_in - idx[nr - 1], re - pos);
      int64_t i = 0;
      if (widen) {
        for (; i + k <= len; i += k) {
          RowOps::cols(lv[0], q + i * s_in, width, 1);
          bump();
        }
        for (int64_t t = 0; i < len; ++i, ++t) {
          RowOps::cols(lv[0] + t * W, q + i * s_in, W, 1);
          bump();
        }
      } else {
        for (; i < len; ++i) {
          RowOps::cols(lv[0], q + i * s_in, w, sw);
          bump();
        }
      }
      pos += len;
      if (pos >= re) break;
      q += len * s_in;
      idx[nr - 1] += len;
      for (int d = nr - 1; d > 0 && idx[d] == p_.rsize[d]; --d) {
        q += p_.rin[d - 1] - p_.rsize[d] * p_.rin[d];
        idx[d] = 0;
        ++idx[d - 1];
      }
    }
    // Fold the levels (highest first), then the k lanes of a widened row.
    for (int64_t j = 0; j < width; ++j) {
      Acc a = lv[used - 1][j];
      for (int l = used - 2; l >= 0; --l) a = Red::combine(a, lv[l][j]);
      lv[0][j] = a;
    }
    for (int64_t j = 0; j < w; ++j) {
      Acc a = lv[0][j];
      for (int64_t t = 1; t < k; ++t) a = Red::combine(a, lv[0][t * W + j]);
      res[j] = a;
    }
  }

  const ReducePlan& p_;
  const T* x_;
  Out* out_;
};

}  // namespace reduce_detail

// Reduces `x` (dtype Red::In) over normalised `axes` into the contiguous
// tensor `out` (dtype Red::Out, shape = reduced shape with or without keepdims).
template <typename Red> void run_reduction(const Tensor& x, const std::vector<int64_t>& axes, const Tensor& out) {
  using Out = typename Red::Out;
  Out* o = static_cast<Out*>(out.mutable_raw_data());
  const int64_t M = out.size();
  if (M == 0) return;
  if (x.size() == 0) {  // empty reduction: the identity, finalised with count 0
    const Out v = Red::finalize(Red::init(), 0);
    for (int64_t i = 0; i < M; ++i) o[i] = v;
    return;
  }
  const ReducePlan p = make_reduce_plan(x, axes);
  reduce_detail::Runner<Red>(p, static_cast<const typename Red::In*>(x.raw_data()), o).run();
}

}  // namespace nabla::cpu
