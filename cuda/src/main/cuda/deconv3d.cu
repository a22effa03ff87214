// The cuda backend's kernel: 3D transposed convolution in gather form.
//
// One launch per phase (cd, ch, cw): the output positions o = c + j*s of a phase are reached by the same taps
// (those with (c + pad - t*dil) divisible by s), each from input position j + (c + pad - t*dil) / s. A block
// computes TILE_P positions of one (n, jd) slab of the phase (its (jh, jw) positions in order, so short rows still
// fill the tile) times TILE_C output channels of one group. Each of the 16x16 threads owns a 4x4 register tile of
// outputs (positions ty + 16i, channels tx + 16j) and is the only writer of each, so there are no atomics and the
// summation order (taps ascending, then input channels) is fixed: results are deterministic.
//
// Per tap, input channels are staged through shared memory in chunks of CHUNK: the block's inputs [CHUNK][TILE_P]
// and weights [CHUNK][TILE_C]; each thread then does 16 FMAs per 8 shared loads.
//
// Data on the device: input and output channels-last (NDHWC); weights packed [group][tap][ci][co] with the output
// channels of the group contiguous; geometry as an int array (see the G_* indices, mirrored in CudaGeometry.java).
//
// The gradients (after deconv3d_phase) use the same data, geometry and tile shapes; every kernel gives each
// result element one owner that sums in a fixed order, so they are deterministic too (no atomics).

#define TILE_P 64
#define TILE_C 64
#define CHUNK 16
#define THREADS_X 16
#define THREADS_Y 16

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

// One staged chunk into a thread's 4x4 register tile: acc[i][j] += a[c][ty + 16i] * b[c][tx + 16j] over the
// chunk's CHUNK rows in order. Every kernel's inner loop (rows of a: positions or input channels; of b: channels).
template <int A_COLS, int B_COLS>
__device__ __forceinline__ void accumulate_chunk(float (&acc)[4][4], const float (&a)[CHUNK][A_COLS],
                                                 const float (&b)[CHUNK][B_COLS], int ty, int tx) {
#pragma unroll 4
    for (int c = 0; c < CHUNK; c++) {
        float av[4], bv[4];
        for (int i = 0; i < 4; i++) av[i] = a[c][ty + THREADS_Y * i];
        for (int j = 0; j < 4; j++) bv[j] = b[c][tx + THREADS_X * j];
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
                acc[i][j] = fmaf(av[i], bv[j], acc[i][j]);
    }
}

extern "C" __global__ void __launch_bounds__(THREADS_X * THREADS_Y)
deconv3d_phase(const int* __restrict__ g, const float* __restrict__ x, const float* __restrict__ w,
               const float* __restrict__ bias, float* __restrict__ y,
               int cd, int ch, int cw, int jd_count, int jh_count, int jw_count, int tiles)
{
    __shared__ float xs[CHUNK][TILE_P + 1];
    __shared__ float ws[CHUNK][TILE_C];

    const int cin = g[G_CIN], cout = g[G_COUT], groups = g[G_GROUPS];
    const int xd = g[G_XD], xh = g[G_XH], xw = g[G_XW];
    const int od_size = g[G_OD], oh_size = g[G_OH], ow_size = g[G_OW];
    const int kd = g[G_KD], kh = g[G_KH], kw = g[G_KW];
    const int sd = g[G_SD], sh = g[G_SH], sw = g[G_SW];
    const int dd = g[G_DD], dh = g[G_DH], dw = g[G_DW];
    const int pd = g[G_PD], ph = g[G_PH], pw = g[G_PW];
    const int cin_g = cin / groups, cout_g = cout / groups;

    const int tx = threadIdx.x;                 // output channels tx + 16j of the tile
    const int ty = threadIdx.y;                 // positions ty + 16i of the tile
    const int tid = ty * THREADS_X + tx;

    int item = blockIdx.x;
    const int tile = item % tiles; item /= tiles;
    const int jd = item % jd_count;
    const int n = item / jd_count;
    const int group = blockIdx.z;
    const int co0 = blockIdx.y * TILE_C;        // within the group
    const int p0 = tile * TILE_P;               // first (jh, jw) position of the tile
    const int positions = jh_count * jw_count;
    const int taps = kd * kh * kw;

    float acc[4][4];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            acc[i][j] = 0.0f;

    for (int td = 0; td < kd; td++) {
        const int nd = cd + pd - td * dd;
        if (floor_mod(nd, sd) != 0) continue;
        const int id = jd + floor_div(nd, sd);
        if (id < 0 || id >= xd) continue;
        for (int th = 0; th < kh; th++) {
            const int nh = ch + ph - th * dh;
            if (floor_mod(nh, sh) != 0) continue;
            const int off_h = floor_div(nh, sh);
            for (int tw = 0; tw < kw; tw++) {
                const int nw = cw + pw - tw * dw;
                if (floor_mod(nw, sw) != 0) continue;
                const int off_w = floor_div(nw, sw);
                const int tap = (td * kh + th) * kw + tw;
                const float* wt = w + ((size_t) group * taps + tap) * cin_g * cout_g;
                for (int c0 = 0; c0 < cin_g; c0 += CHUNK) {
                    // Inputs: consecutive threads read consecutive channels of one position (coalesced).
                    for (int idx = tid; idx < TILE_P * CHUNK; idx += THREADS_X * THREADS_Y) {
                        const int p = idx / CHUNK, c = idx % CHUNK;
                        const int pos = p0 + p;
                        const int ih = pos / jw_count + off_h;
                        const int iw = pos % jw_count + off_w;
                        const int ci = c0 + c;
                        xs[c][p] = (pos < positions && ih >= 0 && ih < xh && iw >= 0 && iw < xw && ci < cin_g)
                                ? x[((size_t) ((n * xd + id) * xh + ih) * xw + iw) * cin + group * cin_g + ci]
                                : 0.0f;
                    }
                    for (int idx = tid; idx < CHUNK * TILE_C; idx += THREADS_X * THREADS_Y) {
                        const int c = idx / TILE_C, o = idx % TILE_C;
                        const int ci = c0 + c;
                        ws[c][o] = (ci < cin_g && co0 + o < cout_g) ? wt[(size_t) ci * cout_g + co0 + o] : 0.0f;
                    }
                    __syncthreads();
                    accumulate_chunk(acc, xs, ws, ty, tx);
                    __syncthreads();
                }
            }
        }
    }

    const int kind = g[G_ACTIVATION];
    const float slope = __int_as_float(g[G_SLOPE_BITS]);
    const int od = cd + jd * sd;
    for (int i = 0; i < 4; i++) {
        const int pos = p0 + ty + THREADS_Y * i;
        if (pos >= positions) continue;
        const int oh = ch + (pos / jw_count) * sh;
        const int ow = cw + (pos % jw_count) * sw;
        const size_t base = ((size_t) ((n * od_size + od) * oh_size + oh) * ow_size + ow) * cout + group * cout_g;
        for (int j = 0; j < 4; j++) {
            const int co = co0 + tx + THREADS_X * j;
            if (co >= cout_g) continue;
            float v = acc[i][j];
            if (g[G_HAS_BIAS]) v += bias[group * cout_g + co];
            y[base + co] = activate(v, kind, slope);
        }
    }
}

// ---- Gradients ----------------------------------------------------------------------------------------------
//
// With go = dy * act'(y) (deconv3d_grad_scale, in place over dy):
//   input gradient   dx[n,i,ci] = sum over taps t and co of go[n, i*s + t*dil - pad, co] * w[t,ci,co]
//   filter gradient  dw[t,ci,co] = sum over n and i of x[n,i,ci] * go[n, i*s + t*dil - pad, co]
//   bias gradient    db[co]      = sum over n and o of go[n,o,co]
// where a tap that lands outside the output adds nothing (the specification's rule, see AxisPhases.reached).

#define SCALE_THREADS 256
#define BIAS_THREADS 256

// The activation's derivative from its output y, as Activation.derivativeFromOutput defines it.
__device__ __forceinline__ float derivative_from_output(float y, int kind, float slope) {
    switch (kind) {
        case ACT_RELU: return y > 0.0f ? 1.0f : 0.0f;
        case ACT_LEAKY_RELU: return slope == 0.0f ? (y > 0.0f ? 1.0f : 0.0f) : (y < 0.0f ? slope : 1.0f);
        case ACT_SIGMOID: return y * (1.0f - y);
        case ACT_TANH: return 1.0f - y * y;
        default: return 1.0f;
    }
}

// The output position that input i reaches by tap t, or -1 outside 0..size-1.
__device__ __forceinline__ int reached(int i, int t, int s, int dil, int pad, int size) {
    const long long o = (long long) i * s + (long long) t * dil - pad;
    return o >= 0 && o < size ? (int) o : -1;
}

extern "C" __global__ void __launch_bounds__(SCALE_THREADS)
deconv3d_grad_scale(const int* __restrict__ g, float* __restrict__ go, const float* __restrict__ y, int count)
{
    const int i = blockIdx.x * SCALE_THREADS + threadIdx.x;
    const int kind = g[G_ACTIVATION];
    if (i < count && kind != ACT_NONE) {
        go[i] = go[i] * derivative_from_output(y[i], kind, __int_as_float(g[G_SLOPE_BITS]));
    }
}

// A block computes TILE_P input positions of one (n, id) slab (its (ih, iw) positions in order) times TILE_C input
// channels of one group; per tap, chunks of CHUNK output channels of go and w go through shared memory, and each
// thread keeps a 4x4 register tile (positions ty + 16i, channels tx + 16j), summing taps, then channels, in order.
extern "C" __global__ void __launch_bounds__(THREADS_X * THREADS_Y)
deconv3d_grad_input(const int* __restrict__ g, const float* __restrict__ go, const float* __restrict__ w,
                    float* __restrict__ dx, int tiles)
{
    __shared__ float gs[CHUNK][TILE_P + 1];
    __shared__ float ws[CHUNK][TILE_C + 1];

    const int cin = g[G_CIN], cout = g[G_COUT], groups = g[G_GROUPS];
    const int xd = g[G_XD], xh = g[G_XH], xw = g[G_XW];
    const int od_size = g[G_OD], oh_size = g[G_OH], ow_size = g[G_OW];
    const int kd = g[G_KD], kh = g[G_KH], kw = g[G_KW];
    const int cin_g = cin / groups, cout_g = cout / groups;
    const int taps = kd * kh * kw;

    const int tx = threadIdx.x, ty = threadIdx.y, tid = ty * THREADS_X + tx;
    int item = blockIdx.x;
    const int tile = item % tiles; item /= tiles;
    const int id = item % xd;
    const int n = item / xd;
    const int group = blockIdx.z;
    const int ci0 = blockIdx.y * TILE_C;
    const int p0 = tile * TILE_P;
    const int positions = xh * xw;

    float acc[4][4];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            acc[i][j] = 0.0f;

    for (int td = 0; td < kd; td++) {
        const int od = reached(id, td, g[G_SD], g[G_DD], g[G_PD], od_size);
        if (od < 0) continue;
        for (int th = 0; th < kh; th++) {
            for (int tw = 0; tw < kw; tw++) {
                const int tap = (td * kh + th) * kw + tw;
                const float* wt = w + ((size_t) group * taps + tap) * cin_g * cout_g;
                for (int c0 = 0; c0 < cout_g; c0 += CHUNK) {
                    for (int idx = tid; idx < TILE_P * CHUNK; idx += THREADS_X * THREADS_Y) {
                        const int p = idx / CHUNK, c = idx % CHUNK;
                        const int pos = p0 + p;
                        const int co = c0 + c;
                        float v = 0.0f;
                        if (pos < positions && co < cout_g) {
                            const int oh = reached(pos / xw, th, g[G_SH], g[G_DH], g[G_PH], oh_size);
                            const int ow = reached(pos % xw, tw, g[G_SW], g[G_DW], g[G_PW], ow_size);
                            if (oh >= 0 && ow >= 0) {
                                v = go[((size_t) ((n * od_size + od) * oh_size + oh) * ow_size + ow) * cout
                                       + group * cout_g + co];
                            }
                        }
                        gs[c][p] = v;
                    }
                    for (int idx = tid; idx < CHUNK * TILE_C; idx += THREADS_X * THREADS_Y) {
                        const int c = idx / TILE_C, o = idx % TILE_C;
                        const int co = c0 + c, ci = ci0 + o;
                        ws[c][o] = (co < cout_g && ci < cin_g) ? wt[(size_t) ci * cout_g + co] : 0.0f;
                    }
                    __syncthreads();
                    accumulate_chunk(acc, gs, ws, ty, tx);
                    __syncthreads();
                }
            }
        }
    }

    for (int i = 0; i < 4; i++) {
        const int pos = p0 + ty + THREADS_Y * i;
        if (pos >= positions) continue;
        const size_t base = ((size_t) (n * xd + id) * positions + pos) * cin + group * cin_g;
        for (int j = 0; j < 4; j++) {
            const int ci = ci0 + tx + THREADS_X * j;
            if (ci < cin_g) dx[base + ci] = acc[i][j];
        }
    }
}

// A block owns TILE_C input channels x TILE_C output channels of one (group, tap) and sums them over its span of
// input positions (split `split` of `splits`, positions in order), staging CHUNK positions of x and go at a time;
// it writes its partial sums to partial[split] in the packed layout [group][tap][ci][co]. deconv3d_grad_reduce
// then adds the splits in order: deterministic, and enough blocks for a small filter over a large volume.
extern "C" __global__ void __launch_bounds__(THREADS_X * THREADS_Y)
deconv3d_grad_filter(const int* __restrict__ g, const float* __restrict__ x, const float* __restrict__ go,
                     float* __restrict__ partial, int splits, int span)
{
    __shared__ float xs[CHUNK][TILE_C + 1];
    __shared__ float gs[CHUNK][TILE_C + 1];

    const int n_size = g[G_N], cin = g[G_CIN], cout = g[G_COUT], groups = g[G_GROUPS];
    const int xd = g[G_XD], xh = g[G_XH], xw = g[G_XW];
    const int od_size = g[G_OD], oh_size = g[G_OH], ow_size = g[G_OW];
    const int kd = g[G_KD], kh = g[G_KH], kw = g[G_KW];
    const int cin_g = cin / groups, cout_g = cout / groups;
    const int taps = kd * kh * kw;

    const int tx = threadIdx.x, ty = threadIdx.y, tid = ty * THREADS_X + tx;
    const int tap = blockIdx.x % taps;
    const int split = blockIdx.x / taps;
    const int co_tiles = (cout_g + TILE_C - 1) / TILE_C;
    const int ci0 = (blockIdx.y / co_tiles) * TILE_C;
    const int co0 = (blockIdx.y % co_tiles) * TILE_C;
    const int group = blockIdx.z;
    const int td = tap / (kh * kw), th = tap / kw % kh, tw = tap % kw;
    const long long total = (long long) n_size * xd * xh * xw;
    const long long first = (long long) split * span;
    const long long end = first + span < total ? first + span : total;

    float acc[4][4];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            acc[i][j] = 0.0f;

    for (long long q0 = first; q0 < end; q0 += CHUNK) {
        // x: consecutive threads read consecutive channels of one position; go likewise.
        for (int idx = tid; idx < CHUNK * TILE_C; idx += THREADS_X * THREADS_Y) {
            const int q = idx / TILE_C, c = idx % TILE_C;
            const long long pos = q0 + q;
            float xv = 0.0f, gv = 0.0f;
            if (pos < end) {
                const int iw = (int) (pos % xw);
                const int ih = (int) (pos / xw % xh);
                const int id = (int) (pos / ((long long) xw * xh) % xd);
                const int n = (int) (pos / ((long long) xw * xh * xd));
                const int od = reached(id, td, g[G_SD], g[G_DD], g[G_PD], od_size);
                const int oh = reached(ih, th, g[G_SH], g[G_DH], g[G_PH], oh_size);
                const int ow = reached(iw, tw, g[G_SW], g[G_DW], g[G_PW], ow_size);
                if (od >= 0 && oh >= 0 && ow >= 0) {
                    if (ci0 + c < cin_g) xv = x[pos * cin + group * cin_g + ci0 + c];
                    if (co0 + c < cout_g) {
                        gv = go[((size_t) ((n * od_size + od) * oh_size + oh) * ow_size + ow) * cout
                                + group * cout_g + co0 + c];
                    }
                }
            }
            xs[q][c] = xv;
            gs[q][c] = gv;
        }
        __syncthreads();
        accumulate_chunk(acc, xs, gs, ty, tx);
        __syncthreads();
    }

    float* out = partial + (size_t) split * groups * taps * cin_g * cout_g
            + ((size_t) group * taps + tap) * cin_g * cout_g;
    for (int i = 0; i < 4; i++) {
        const int ci = ci0 + ty + THREADS_Y * i;
        if (ci >= cin_g) continue;
        for (int j = 0; j < 4; j++) {
            const int co = co0 + tx + THREADS_X * j;
            if (co < cout_g) out[(size_t) ci * cout_g + co] = acc[i][j];
        }
    }
}

// dw[j] = partial[0][j] + partial[1][j] + ... in split order.
extern "C" __global__ void __launch_bounds__(SCALE_THREADS)
deconv3d_grad_reduce(const int* __restrict__ g, const float* __restrict__ partial, float* __restrict__ dw,
                     int splits, int count)
{
    const int j = blockIdx.x * SCALE_THREADS + threadIdx.x;
    if (j >= count) return;
    float sum = partial[j];
    for (int s = 1; s < splits; s++) sum += partial[(size_t) s * count + j];
    dw[j] = sum;
}

// One block per output channel: thread t sums positions t, t + BIAS_THREADS, ... in order, then the block adds
// the threads' sums in a fixed tree.
extern "C" __global__ void __launch_bounds__(BIAS_THREADS)
deconv3d_grad_bias(const int* __restrict__ g, const float* __restrict__ go, float* __restrict__ db)
{
    __shared__ float sums[BIAS_THREADS];
    const int cout = g[G_COUT];
    const int co = blockIdx.x;
    const long long positions = (long long) g[G_N] * g[G_OD] * g[G_OH] * g[G_OW];
    float s = 0.0f;
    for (long long p = threadIdx.x; p < positions; p += BIAS_THREADS) s += go[p * cout + co];
    sums[threadIdx.x] = s;
    __syncthreads();
    for (int half = BIAS_THREADS / 2; half > 0; half /= 2) {
        if ((int) threadIdx.x < half) sums[threadIdx.x] += sums[threadIdx.x + half];
        __syncthreads();
    }
    if (threadIdx.x == 0) db[co] = sums[0];
}
