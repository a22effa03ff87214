// Lets a CUDA kernel source compile as C++ and run on the CPU, for testing the kernel where no GPU is.
//
// The threads of a block are fibers (ucontext) on one OS thread: each runs until it reaches __syncthreads() or
// ends, then the next one runs; when every thread of the block stands at the barrier, all go on. So a barrier is
// a real barrier that every thread must reach (one that some thread skips is reported and the run fails), and the
// schedule is the most adversarial one for a missing barrier: each thread runs as far as it can before any other
// starts. Odd blocks run their threads in reverse order, so a hazard in either direction shows. Blocks run one
// after another, which is what makes __shared__ (a function-level static here) private to the running block.
// One OS thread instead of one per GPU thread keeps the emulation cheap (no 256-thread convoys on 2 cores).
#pragma once
#include <setjmp.h>
#include <ucontext.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <vector>

struct dim3 {
    unsigned x = 1, y = 1, z = 1;
    dim3() = default;
    dim3(unsigned x_, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};

namespace cuda_shim {
inline dim3 thread_idx;
inline dim3 block_idx;
inline dim3 block_dim;
inline dim3 grid_dim;

// A fiber starts once through makecontext/swapcontext (to get its own stack); every later switch is a
// _setjmp/_longjmp pair, which unlike swapcontext makes no system call (no signal mask to save).
struct Fiber {
    ucontext_t context;
    jmp_buf jump;
    char* stack = nullptr;
    dim3 index;
    bool started = false;
    bool done = false;
};

constexpr std::size_t STACK_BYTES = 64 * 1024;
inline ucontext_t start_from;
inline jmp_buf scheduler;
inline Fiber* running = nullptr;
inline std::function<void()> block_body;

inline void sync_threads() {
    if (!_setjmp(running->jump)) _longjmp(scheduler, 1);
}

inline void fiber_entry() {
    block_body();
    running->done = true;
    _longjmp(scheduler, 1);  // never returns: the stack is simply reused by the next start
}

// Runs fiber f until its next barrier or its end.
inline void resume(Fiber& f) {
    running = &f;
    if (_setjmp(scheduler)) return;
    if (f.started) _longjmp(f.jump, 1);
    f.started = true;
    swapcontext(&start_from, &f.context);
}

// Stacks, allocated once for the largest block seen and reused by every launch.
inline std::vector<Fiber>& fiber_pool(unsigned threads) {
    static std::vector<Fiber> pool;
    while (pool.size() < threads) {
        pool.emplace_back();
        pool.back().stack = new char[STACK_BYTES];
    }
    return pool;
}
}

#define threadIdx (cuda_shim::thread_idx)
#define blockIdx (cuda_shim::block_idx)
#define blockDim (cuda_shim::block_dim)
#define gridDim (cuda_shim::grid_dim)
#define __global__
#define __device__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __shared__ static
#define __restrict__
#define __syncthreads() (cuda_shim::sync_threads())

using std::min;

inline float __int_as_float(int bits) {
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}

namespace cuda_shim {
// Runs kernel(args...) over the grid, block after block; within a block, its threads as fibers (see above).
template <typename Kernel, typename... Args>
void launch(dim3 grid, dim3 block, Kernel kernel, Args... args) {
    const unsigned threads = block.x * block.y * block.z;
    block_dim = block;
    grid_dim = grid;
    block_body = [&] { kernel(args...); };
    std::vector<Fiber>& fibers = fiber_pool(threads);
    for (unsigned t = 0; t < threads; t++) {
        fibers[t].index = dim3(t % block.x, (t / block.x) % block.y, t / (block.x * block.y));
    }
    unsigned long long block_number = 0;
    for (unsigned bz = 0; bz < grid.z; bz++)
        for (unsigned by = 0; by < grid.y; by++)
            for (unsigned bx = 0; bx < grid.x; bx++, block_number++) {
                block_idx = dim3(bx, by, bz);
                for (unsigned t = 0; t < threads; t++) {
                    Fiber& f = fibers[t];
                    f.done = false;
                    f.started = false;
                    getcontext(&f.context);
                    f.context.uc_stack.ss_sp = f.stack;
                    f.context.uc_stack.ss_size = STACK_BYTES;
                    f.context.uc_link = nullptr;
                    makecontext(&f.context, fiber_entry, 0);
                }
                bool reverse = block_number % 2 == 1;
                while (true) {
                    unsigned finished = 0;
                    for (unsigned i = 0; i < threads; i++) {
                        Fiber& f = fibers[reverse ? threads - 1 - i : i];
                        if (f.done) {
                            finished++;
                            continue;
                        }
                        thread_idx = f.index;
                        resume(f);
                        if (f.done) finished++;
                    }
                    if (finished == threads) break;
                    if (finished != 0) {
                        std::fprintf(stderr, "__syncthreads() not reached by every thread of block (%u,%u,%u):"
                                     " %u of %u threads ended while the others wait at a barrier\n",
                                     bx, by, bz, finished, threads);
                        std::exit(3);
                    }
                }
            }
    running = nullptr;
}
}
