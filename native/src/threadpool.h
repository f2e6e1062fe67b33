// A small persistent pool: the calling thread is worker 0, the others wait on a condition variable between jobs.
// Jobs are short (a kernel call), so workers spin briefly before sleeping to keep wake-up latency low without
// burning a core that other processes on a 2-core machine need.
#pragma once
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace egfr {

// Parts per thread of a reduction (split_parts): more parts balance the load better when a thread is slowed down,
// but each part beyond the first is one more buffer to fill and to add.
constexpr long kPartsPerThread = 4;
// Elements per task when the parts of a reduction are added.
constexpr long kFoldGrain = 1L << 14;

class ThreadPool {
 public:
  static ThreadPool& instance();
  int size() const { return nthreads_; }
  // Calls fn(0) on the calling thread and fn(i) on each worker i that wakes up before the caller has finished its
  // own call; returns when every call has finished. On a loaded machine a descheduled worker is not waited for,
  // so fn must share out work dynamically and must not rely on every index running.
  void run(const std::function<void(int)>& fn);
  ~ThreadPool();

 private:
  explicit ThreadPool(int nthreads);
  void worker(int index);

  int nthreads_;
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable wake_;
  const std::function<void(int)>* job_ = nullptr;
  std::atomic<unsigned> generation_{0};
  std::atomic<int> joined_{0};
  std::atomic<int> finished_{0};
  bool open_ = false;  // guarded by mutex_: workers may still join the current job
  bool stop_ = false;
  bool running_ = false;
};

// Splits [0, n) into tasks handed out dynamically; fn(begin, end, thread). Which thread runs which task depends on
// timing: use `thread` for scratch space only, never to pick an accumulator (see parallel_reduce).
void parallel_for(long n, long grain, const std::function<void(long, long, int)>& fn);

// A split of [0, n) into `count` contiguous parts of `len` elements (the last one shorter), len a multiple of the
// grain. It depends only on n, the grain and the configured thread count, never on timing.
struct Parts {
  long count;
  long len;
};
Parts split_parts(long n, long grain);

// Calls fn(part, begin, end) once for each part of split_parts(n, grain), the parts handed out dynamically.
void parallel_parts(long n, long grain, const std::function<void(long, long, long)>& fn);

// A reduction over [0, n) that gives the same floats on every run: body(begin, end, acc) adds the contribution of
// elements [begin, end) to acc (`size` values starting at `init`); there is one acc per part of split_parts(n, grain)
// (the first is out itself), and fold(total, part) combines the other parts into out in part order.
template <typename T, typename Body, typename Fold>
void parallel_reduce(long n, long grain, long size, T init, T* out, Body body, Fold fold) {
  std::fill(out, out + size, init);
  const Parts parts = split_parts(n, grain);
  if (parts.count <= 0) return;
  std::vector<std::vector<T>> rest(static_cast<size_t>(parts.count - 1));
  parallel_parts(n, grain, [&](long part, long begin, long end) {
    if (part == 0) {
      body(begin, end, out);
      return;
    }
    std::vector<T>& acc = rest[static_cast<size_t>(part - 1)];
    acc.assign(static_cast<size_t>(size), init);
    body(begin, end, acc.data());
  });
  // Each element folds its parts in part order, so the elements can be shared out freely.
  parallel_for(size, kFoldGrain, [&](long begin, long end, int) {
    for (const std::vector<T>& acc : rest)
      for (long i = begin; i < end; ++i) fold(out[i], acc[static_cast<size_t>(i)]);
  });
}

// parallel_reduce with sums.
template <typename T, typename Body>
void parallel_sum(long n, long grain, long size, T* out, Body body) {
  parallel_reduce(n, grain, size, T(0), out, body, [](T& total, T part) { total += part; });
}

}  // namespace egfr
