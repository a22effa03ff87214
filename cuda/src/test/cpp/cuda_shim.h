// Lets a CUDA kernel source compile as C++ and run on the CPU, for testing the kernel where no GPU is.
//
// Threads of a block are real threads: a launch starts blockDim.x*y*z std::threads, and they step through the
// grid's blocks together, so __syncthreads() is a real barrier (std::barrier) that every thread of the block must
// reach, as on a GPU. Blocks run one after another, which is what makes __shared__ (a function-level static here)
// private to the running block.
#pragma once
#include <barrier>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <functional>
#include <thread>
#include <vector>

struct dim3 {
    unsigned x = 1, y = 1, z = 1;
    dim3() = default;
    dim3(unsigned x_, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};

namespace cuda_shim {
inline thread_local dim3 thread_idx;
inline thread_local dim3 block_idx;
inline dim3 block_dim;
inline dim3 grid_dim;
inline std::barrier<>* block_barrier = nullptr;
}

#define threadIdx (cuda_shim::thread_idx)
#define blockIdx (cuda_shim::block_idx)
#define blockDim (cuda_shim::block_dim)
#define gridDim (cuda_shim::grid_dim)
#define __global__
#define __device__
#define __forceinline__ inline
#define __launch_bounds__(n)
#define __shared__ static
#define __restrict__
#define __syncthreads() (cuda_shim::block_barrier->arrive_and_wait())

inline float __int_as_float(int bits) {
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}

namespace cuda_shim {
// Runs kernel(args...) over the grid: one std::thread per thread of a block; all of them visit every block in
// the same order, with a barrier at the end of each block so a block's shared memory is not reused early.
template <typename Kernel, typename... Args>
void launch(dim3 grid, dim3 block, Kernel kernel, Args... args) {
    const unsigned threads = block.x * block.y * block.z;
    std::barrier<> sync(threads);
    block_barrier = &sync;
    block_dim = block;
    grid_dim = grid;
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; t++) {
        pool.emplace_back([=, &sync] {
            thread_idx = dim3(t % block.x, (t / block.x) % block.y, t / (block.x * block.y));
            for (unsigned bz = 0; bz < grid.z; bz++)
                for (unsigned by = 0; by < grid.y; by++)
                    for (unsigned bx = 0; bx < grid.x; bx++) {
                        block_idx = dim3(bx, by, bz);
                        kernel(args...);
                        sync.arrive_and_wait();
                    }
        });
    }
    for (auto& th : pool) th.join();
    block_barrier = nullptr;
}
}
