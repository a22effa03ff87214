// Runs the cuda backend's kernels on the CPU for EmulatorDevice (the Java test device): reads a job with the
// device's buffers and the launches a plan issued since the last download, runs them in order, and writes every
// buffer back. So the plans' host code (CudaPlan) is what drives the kernels here, as on a GPU.
//
// Job file (little-endian int32 words): magic 0x4A334344, buffer count, per buffer {word count, words...},
// launch count, per launch {name length, name bytes (one per word), grid x, y, z, block x, y,
// buffer-argument count, buffer indices..., int-argument count, ints...}.
// Result file: per buffer {word count, words...}, in the job's order.
#include <cstdint>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#define FORWARD_DECL(NAME) \
    extern "C" void NAME(const int* g, const int* phases, const float* x, const float* w, const float* bias, float* y, \
                         int phase_count, int splits, int split_channels);
#define INPUT_GRADIENT_DECL(NAME) \
    extern "C" void NAME(const int* g, const float* go, const float* w, float* dx, int split_channels);
FORWARD_DECL(deconv3d_forward_c16)
FORWARD_DECL(deconv3d_forward_c32)
FORWARD_DECL(deconv3d_forward_c64)
INPUT_GRADIENT_DECL(deconv3d_grad_input_c16)
INPUT_GRADIENT_DECL(deconv3d_grad_input_c32)
INPUT_GRADIENT_DECL(deconv3d_grad_input_c64)
extern "C" void deconv3d_forward_finish(const int* g, const float* partial, const float* bias, float* y, int splits,
                                        int count);
extern "C" void deconv3d_grad_scale(const int* g, float* go, const float* y, int count);
#define FILTER_GRADIENT_DECL(NAME) \
    extern "C" void NAME(const int* g, const float* x, const float* go, float* partial, int span);
FILTER_GRADIENT_DECL(deconv3d_grad_filter_i16_o16)
FILTER_GRADIENT_DECL(deconv3d_grad_filter_i16_o32)
FILTER_GRADIENT_DECL(deconv3d_grad_filter_i16_o64)
FILTER_GRADIENT_DECL(deconv3d_grad_filter_i32_o16)
FILTER_GRADIENT_DECL(deconv3d_grad_filter_i32_o32)
FILTER_GRADIENT_DECL(deconv3d_grad_filter_i32_o64)
FILTER_GRADIENT_DECL(deconv3d_grad_filter_i64_o16)
FILTER_GRADIENT_DECL(deconv3d_grad_filter_i64_o32)
FILTER_GRADIENT_DECL(deconv3d_grad_filter_i64_o64)
extern "C" void deconv3d_grad_reduce(const int* g, const float* partial, float* out, int splits, int count);
extern "C" void deconv3d_grad_bias(const int* g, const float* go, float* partial, int span);

using Forward = void (*)(const int*, const int*, const float*, const float*, const float*, float*, int, int, int);
using InputGradient = void (*)(const int*, const float*, const float*, float*, int);
using FilterGradient = void (*)(const int*, const float*, const float*, float*, int);

static Forward forward_kernel(const std::string& name) {
    if (name == "deconv3d_forward_c16") return deconv3d_forward_c16;
    if (name == "deconv3d_forward_c32") return deconv3d_forward_c32;
    if (name == "deconv3d_forward_c64") return deconv3d_forward_c64;
    return nullptr;
}

static FilterGradient filter_gradient_kernel(const std::string& name) {
#define FILTER_GRADIENT_CASE(NAME) \
    if (name == #NAME) return NAME;
    FILTER_GRADIENT_CASE(deconv3d_grad_filter_i16_o16)
    FILTER_GRADIENT_CASE(deconv3d_grad_filter_i16_o32)
    FILTER_GRADIENT_CASE(deconv3d_grad_filter_i16_o64)
    FILTER_GRADIENT_CASE(deconv3d_grad_filter_i32_o16)
    FILTER_GRADIENT_CASE(deconv3d_grad_filter_i32_o32)
    FILTER_GRADIENT_CASE(deconv3d_grad_filter_i32_o64)
    FILTER_GRADIENT_CASE(deconv3d_grad_filter_i64_o16)
    FILTER_GRADIENT_CASE(deconv3d_grad_filter_i64_o32)
    FILTER_GRADIENT_CASE(deconv3d_grad_filter_i64_o64)
    return nullptr;
}

static InputGradient input_gradient_kernel(const std::string& name) {
    if (name == "deconv3d_grad_input_c16") return deconv3d_grad_input_c16;
    if (name == "deconv3d_grad_input_c32") return deconv3d_grad_input_c32;
    if (name == "deconv3d_grad_input_c64") return deconv3d_grad_input_c64;
    return nullptr;
}

static int32_t read_int(std::ifstream& in) {
    int32_t v = 0;
    in.read(reinterpret_cast<char*>(&v), 4);
    return v;
}

static std::vector<int32_t> read_words(std::ifstream& in, int32_t n) {
    std::vector<int32_t> v(n > 0 ? n : 0);
    if (n > 0) in.read(reinterpret_cast<char*>(v.data()), 4 * static_cast<std::streamsize>(n));
    return v;
}

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: emulator JOB RESULT\n";
        return 2;
    }
    std::ifstream in(argv[1], std::ios::binary);
    if (read_int(in) != 0x4A334344) {
        std::cerr << "not a job file: " << argv[1] << "\n";
        return 2;
    }
    std::vector<std::vector<int32_t>> buffers(read_int(in));
    for (auto& b : buffers) b = read_words(in, read_int(in));
    const int32_t launches = read_int(in);
    for (int32_t l = 0; l < launches; l++) {
        std::string name;
        for (int32_t c = 0, n = read_int(in); c < n; c++) name += static_cast<char>(read_int(in));
        int32_t gx = read_int(in), gy = read_int(in), gz = read_int(in), bx = read_int(in), by = read_int(in);
        std::vector<int32_t> args = read_words(in, read_int(in));
        std::vector<int32_t> ints = read_words(in, read_int(in));
        if (!in) {
            std::cerr << "job file truncated\n";
            return 2;
        }
        auto I = [&](int a) { return reinterpret_cast<int*>(buffers.at(args.at(a)).data()); };
        auto F = [&](int a) { return reinterpret_cast<float*>(buffers.at(args.at(a)).data()); };
        const dim3 grid(gx, gy, gz), block(bx, by, 1);
        if (forward_kernel(name) && args.size() == 6 && ints.size() == 3) {
            cuda_shim::launch(grid, block, forward_kernel(name), (const int*) I(0), (const int*) I(1),
                              (const float*) F(2), (const float*) F(3), (const float*) F(4), F(5), ints[0], ints[1],
                              ints[2]);
        } else if (name == "deconv3d_forward_finish" && args.size() == 4 && ints.size() == 2) {
            cuda_shim::launch(grid, block, deconv3d_forward_finish, (const int*) I(0), (const float*) F(1),
                              (const float*) F(2), F(3), ints[0], ints[1]);
        } else if (name == "deconv3d_grad_scale" && args.size() == 3 && ints.size() == 1) {
            cuda_shim::launch(grid, block, deconv3d_grad_scale, (const int*) I(0), F(1), (const float*) F(2),
                              ints[0]);
        } else if (input_gradient_kernel(name) && args.size() == 4 && ints.size() == 1) {
            cuda_shim::launch(grid, block, input_gradient_kernel(name), (const int*) I(0), (const float*) F(1),
                              (const float*) F(2), F(3), ints[0]);
        } else if (filter_gradient_kernel(name) && args.size() == 4 && ints.size() == 1) {
            cuda_shim::launch(grid, block, filter_gradient_kernel(name), (const int*) I(0), (const float*) F(1),
                              (const float*) F(2), F(3), ints[0]);
        } else if (name == "deconv3d_grad_reduce" && args.size() == 3 && ints.size() == 2) {
            cuda_shim::launch(grid, block, deconv3d_grad_reduce, (const int*) I(0), (const float*) F(1), F(2),
                              ints[0], ints[1]);
        } else if (name == "deconv3d_grad_bias" && args.size() == 3 && ints.size() == 1) {
            cuda_shim::launch(grid, block, deconv3d_grad_bias, (const int*) I(0), (const float*) F(1), F(2),
                              ints[0]);
        } else {
            std::cerr << "unknown kernel or wrong arguments: " << name << " (" << args.size() << " buffers, "
                      << ints.size() << " ints)\n";
            return 2;
        }
    }
    std::ofstream out(argv[2], std::ios::binary);
    for (const auto& b : buffers) {
        const int32_t n = static_cast<int32_t>(b.size());
        out.write(reinterpret_cast<const char*>(&n), 4);
        out.write(reinterpret_cast<const char*>(b.data()), 4 * static_cast<std::streamsize>(n));
    }
    return out ? 0 : 1;
}
