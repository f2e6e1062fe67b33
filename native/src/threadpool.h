// A small persistent pool: the calling thread is worker 0, the others wait on a condition variable between jobs.
// Jobs are short (a kernel call), so workers spin briefly before sleeping to keep wake-up latency low without
// burning a core that other processes on a 2-core machine need.
#pragma once
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace egfr {

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

// Splits [0, n) into tasks handed out dynamically; fn(begin, end, thread).
void parallel_for(long n, long grain, const std::function<void(long, long, int)>& fn);

}  // namespace egfr
