#include "threadpool.h"

#include <algorithm>
#include <cstdlib>

namespace egfr {

namespace {
inline void cpu_relax() {
#if defined(__x86_64__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

int configured_threads() {
  const char* env = std::getenv("EGFR_NATIVE_THREADS");
  if (env != nullptr) {
    int n = std::atoi(env);
    if (n >= 1 && n <= 64) return n;
  }
  unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}
}  // namespace

ThreadPool& ThreadPool::instance() {
  static ThreadPool pool(configured_threads());
  return pool;
}

ThreadPool::ThreadPool(int nthreads) : nthreads_(nthreads) {
  for (int i = 1; i < nthreads_; ++i) threads_.emplace_back([this, i] { worker(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
    generation_.fetch_add(1);
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
}

void ThreadPool::worker(int index) {
  unsigned seen = 0;
  for (;;) {
    // Spin briefly (tens of microseconds): back-to-back kernel calls of a training step arrive that fast, and a
    // longer spin would take the core from the JavaScript thread and from other processes.
    for (int spin = 0; spin < 2000 && generation_.load(std::memory_order_acquire) == seen; ++spin) cpu_relax();
    const std::function<void(int)>* job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return generation_.load() != seen; });
      seen = generation_.load();
      if (stop_) return;
      if (!open_) continue;  // the caller already finished this job alone
      joined_.fetch_add(1, std::memory_order_relaxed);
      job = job_;
    }
    (*job)(index);
    finished_.fetch_add(1, std::memory_order_release);
  }
}

void ThreadPool::run(const std::function<void(int)>& fn) {
  // Nested or single-threaded calls run inline.
  if (nthreads_ == 1 || running_) {
    fn(0);
    return;
  }
  running_ = true;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    job_ = &fn;
    joined_.store(0);
    finished_.store(0);
    open_ = true;
    generation_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_all();
  fn(0);
  int joined;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    open_ = false;
    joined = joined_.load();
  }
  for (int spin = 0; finished_.load(std::memory_order_acquire) != joined; ++spin) {
    if (spin > 100) std::this_thread::yield();
  }
  running_ = false;
}

void parallel_for(long n, long grain, const std::function<void(long, long, int)>& fn) {
  if (n <= 0) return;
  ThreadPool& pool = ThreadPool::instance();
  if (grain < 1) grain = 1;
  if (pool.size() == 1 || n <= grain) {
    fn(0, n, 0);
    return;
  }
  std::atomic<long> next{0};
  pool.run([&](int t) {
    for (;;) {
      long begin = next.fetch_add(grain);
      if (begin >= n) break;
      long end = begin + grain < n ? begin + grain : n;
      fn(begin, end, t);
    }
  });
}

Parts split_parts(long n, long grain) {
  if (n <= 0) return {0, 1};
  if (grain < 1) grain = 1;
  const long chunks = (n + grain - 1) / grain;
  const long wanted = std::min<long>(chunks, kPartsPerThread * ThreadPool::instance().size());
  const long len = (chunks + wanted - 1) / wanted * grain;
  return {(n + len - 1) / len, len};
}

void parallel_parts(long n, long grain, const std::function<void(long, long, long)>& fn) {
  const Parts parts = split_parts(n, grain);
  parallel_for(parts.count, 1, [&](long begin, long end, int) {
    for (long p = begin; p < end; ++p) fn(p, p * parts.len, std::min(n, (p + 1) * parts.len));
  });
}

}  // namespace egfr
