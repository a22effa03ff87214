// Runs the cuda backend's kernel on the CPU from a job file written by the Java side (CudaJobFile), and writes
// the output. The job holds exactly what CudaPlan would upload and launch, so the Java host logic is tested too.
//
// Job file (little-endian): int32 magic 0x44334344, int32 geometry count, int32 geometry[...],
// int32 weights count, float weights[...], int32 bias count, float bias[...], int32 input count, float input[...],
// int32 output count, int32 launch count, then per launch int32 {grid x,y,z, block x,y,z, cd,ch,cw, jd,jh,jw, tiles}.
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <limits>
#include <vector>

extern "C" void deconv3d_phase(const int* g, const float* x, const float* w, const float* bias, float* y,
                               int cd, int ch, int cw, int jd_count, int jh_count, int jw_count, int jw_tiles);

template <typename T>
static std::vector<T> read_array(std::ifstream& in) {
    int32_t n = 0;
    in.read(reinterpret_cast<char*>(&n), 4);
    std::vector<T> v(n > 0 ? n : 0);
    if (n > 0) in.read(reinterpret_cast<char*>(v.data()), sizeof(T) * n);
    return v;
}

static int32_t read_int(std::ifstream& in) {
    int32_t v = 0;
    in.read(reinterpret_cast<char*>(&v), 4);
    return v;
}

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: emulator JOB OUT\n";
        return 2;
    }
    std::ifstream in(argv[1], std::ios::binary);
    if (read_int(in) != 0x44334344) {
        std::cerr << "not a job file: " << argv[1] << "\n";
        return 2;
    }
    std::vector<int32_t> geometry = read_array<int32_t>(in);
    std::vector<float> weights = read_array<float>(in);
    std::vector<float> bias = read_array<float>(in);
    std::vector<float> input = read_array<float>(in);
    // NaN, so an element the kernel never writes cannot pass for a result.
    std::vector<float> output(read_int(in), std::numeric_limits<float>::quiet_NaN());
    int32_t launches = read_int(in);
    if (bias.empty()) bias.push_back(0.0f);
    for (int32_t l = 0; l < launches; l++) {
        int32_t a[13];
        in.read(reinterpret_cast<char*>(a), sizeof a);
        if (!in) {
            std::cerr << "job file truncated\n";
            return 2;
        }
        cuda_shim::launch(dim3(a[0], a[1], a[2]), dim3(a[3], a[4], a[5]), deconv3d_phase,
                          (const int*) geometry.data(), (const float*) input.data(), (const float*) weights.data(),
                          (const float*) bias.data(), output.data(), a[6], a[7], a[8], a[9], a[10], a[11], a[12]);
    }
    std::ofstream out(argv[2], std::ios::binary);
    out.write(reinterpret_cast<const char*>(output.data()), sizeof(float) * output.size());
    return out ? 0 : 1;
}
