// The cuda backend's kernel: 3D transposed convolution in gather form.
//
// One launch per phase (cd, ch, cw): the output positions o = c + j*s of a phase are reached by the same taps
// (those with (c + pad - t*dil) divisible by s), each from input position j + (c + pad - t*dil) / s. A block
// computes TILE_P consecutive positions of one (n, jd, jh) row of the phase times TILE_C output channels of one
// group; each thread owns exactly one output element, so there are no atomics and the summation order (taps in
// ascending order, then input channels) is fixed: results are deterministic.
//
// Per tap, input channels are staged through shared memory in chunks of CHUNK: the block's input values
// [TILE_P][CHUNK] and weights [CHUNK][TILE_C], so each input value is read from global memory once per block and
// each weight once per TILE_P positions.
//
// Data on the device: input and output channels-last (NDHWC); weights packed [group][tap][ci][co] with the output
// channels of the group contiguous; geometry as an int array (see the G_* indices, mirrored in CudaGeometry.java).

#define TILE_P 8
#define TILE_C 32
#define CHUNK 32

enum {
    G_N, G_CIN, G_COUT, G_GROUPS,
    G_XD, G_XH, G_XW, G_OD, G_OH, G_OW,
    G_KD, G_KH, G_KW, G_SD, G_SH, G_SW,
    G_DD, G_DH, G_DW, G_PD, G_PH, G_PW,
    G_ACTIVATION, G_SLOPE_BITS, G_HAS_BIAS,
    G_COUNT
};

enum { ACT_NONE = 0, ACT_RELU = 1, ACT_LEAKY_RELU = 2, ACT_SIGMOID = 3, ACT_TANH = 4 };

__device__ __forceinline__ int floor_div(int a, int b) {
    int q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

__device__ __forceinline__ int floor_mod(int a, int b) {
    int m = a % b;
    return m < 0 ? m + b : m;
}

__device__ __forceinline__ float activate(float v, int kind, float slope) {
    switch (kind) {
        case ACT_RELU: return v < 0.0f ? 0.0f : v;
        case ACT_LEAKY_RELU: return v < 0.0f ? v * slope : v;
        case ACT_SIGMOID: return 1.0f / (1.0f + expf(-v));
        case ACT_TANH: return tanhf(v);
        default: return v;
    }
}

extern "C" __global__ void __launch_bounds__(TILE_P * TILE_C)
deconv3d_phase(const int* __restrict__ g, const float* __restrict__ x, const float* __restrict__ w,
               const float* __restrict__ bias, float* __restrict__ y,
               int cd, int ch, int cw, int jd_count, int jh_count, int jw_count, int jw_tiles)
{
    __shared__ float xs[TILE_P][CHUNK + 1];
    __shared__ float ws[CHUNK][TILE_C];

    const int cin = g[G_CIN], cout = g[G_COUT], groups = g[G_GROUPS];
    const int xd = g[G_XD], xh = g[G_XH], xw = g[G_XW];
    const int od_size = g[G_OD], oh_size = g[G_OH], ow_size = g[G_OW];
    const int kd = g[G_KD], kh = g[G_KH], kw = g[G_KW];
    const int sd = g[G_SD], sh = g[G_SH], sw = g[G_SW];
    const int dd = g[G_DD], dh = g[G_DH], dw = g[G_DW];
    const int pd = g[G_PD], ph = g[G_PH], pw = g[G_PW];
    const int cin_g = cin / groups, cout_g = cout / groups;

    const int tx = threadIdx.x;                 // output channel within the tile
    const int ty = threadIdx.y;                 // position within the tile
    const int tid = ty * TILE_C + tx;

    int item = blockIdx.x;
    const int jw_tile = item % jw_tiles; item /= jw_tiles;
    const int jh = item % jh_count; item /= jh_count;
    const int jd = item % jd_count;
    const int n = item / jd_count;
    const int group = blockIdx.z;
    const int co = blockIdx.y * TILE_C + tx;    // within the group
    const int jw0 = jw_tile * TILE_P;
    const int taps = kd * kh * kw;

    float acc = 0.0f;
    for (int td = 0; td < kd; td++) {
        const int nd = cd + pd - td * dd;
        if (floor_mod(nd, sd) != 0) continue;
        const int id = jd + floor_div(nd, sd);
        if (id < 0 || id >= xd) continue;
        for (int th = 0; th < kh; th++) {
            const int nh = ch + ph - th * dh;
            if (floor_mod(nh, sh) != 0) continue;
            const int ih = jh + floor_div(nh, sh);
            if (ih < 0 || ih >= xh) continue;
            for (int tw = 0; tw < kw; tw++) {
                const int nw = cw + pw - tw * dw;
                if (floor_mod(nw, sw) != 0) continue;
                const int off_w = floor_div(nw, sw);
                const int tap = (td * kh + th) * kw + tw;
                const float* wt = w + ((size_t) group * taps + tap) * cin_g * cout_g;
                const int x_row = ((n * xd + id) * xh + ih) * xw;
                for (int c0 = 0; c0 < cin_g; c0 += CHUNK) {
                    {
                        const int p = tid / CHUNK, c = tid % CHUNK;
                        const int iw = jw0 + p + off_w;
                        const int ci = c0 + c;
                        xs[p][c] = (iw >= 0 && iw < xw && ci < cin_g)
                                ? x[(size_t) (x_row + iw) * cin + group * cin_g + ci] : 0.0f;
                    }
                    for (int r = ty; r < CHUNK; r += TILE_P) {
                        const int ci = c0 + r;
                        ws[r][tx] = (ci < cin_g && co < cout_g) ? wt[(size_t) ci * cout_g + co] : 0.0f;
                    }
                    __syncthreads();
#pragma unroll 8
                    for (int c = 0; c < CHUNK; c++) {
                        acc = fmaf(xs[ty][c], ws[c][tx], acc);
                    }
                    __syncthreads();
                }
            }
        }
    }

    const int jw = jw0 + ty;
    if (jw < jw_count && co < cout_g) {
        const int od = cd + jd * sd, oh = ch + jh * sh, ow = cw + jw * sw;
        const int oc = group * cout_g + co;
        float v = acc;
        if (g[G_HAS_BIAS]) v += bias[oc];
        v = activate(v, g[G_ACTIVATION], __int_as_float(g[G_SLOPE_BITS]));
        y[((size_t) ((n * od_size + od) * oh_size + oh) * ow_size + ow) * cout + oc] = v;
    }
}
