// The cuda backend's kernels: 3D transposed convolution in gather form, and its gradients.
//
// Phases: the output positions o = c + j*s of a phase (cd, ch, cw) are reached by the same taps (those with
// (c + pad - t*dil) divisible by s), each from input position j + (c + pad - t*dil) / s. The forward is one launch
// over every phase: the host's phase table gives each phase's position counts and its first tile, and a block finds
// its phase by binary search. A block computes TILE_P positions of its phase (flattened over (n, jd, jh, jw), so
// small volumes and large batches fill tiles alike) times TILE_C output channels of one group. Each of the 16x16
// threads owns a PI x CJ register tile of outputs (positions ty + 16i, channels tx + 16j) and is the only writer of
// each, so there are no atomics. The summation order is fixed by the problem alone (taps ascending, then input
// channels; where a small launch splits its channels, each split in that order and the splits added in order by a
// second kernel), never by the device: the same bits on every GPU and every run.
//
// The tile shape follows the channels: 64 positions x 64 channels (PI = CJ = 4), 128 x 32 or 256 x 16, so that a
// layer with 16 or 32 output channels does not leave most of a 64-channel tile idle. Per tap, input channels are
// staged through shared memory in steps of CHUNK: the block's inputs [CHUNK][TILE_P] and weights [CHUNK][TILE_C];
// each thread then does PI*CJ FMAs per PI + CJ shared loads, while the next step's global loads are already in
// flight into registers (software pipelining).
//
// Data on the device: input and output channels-last (NDHWC); weights packed [group][tap][ci][co] with the output
// channels of the group contiguous; geometry as an int array (see the G_* indices, mirrored in CudaGeometry.java);
// the phase table as PHASE_INTS ints per phase (see the P_* indices, mirrored there too).
//
// The gradients (after the forward) use the same data, geometry and tiles; every kernel gives each result element
// one owner that sums in a fixed order, so they are deterministic too (no atomics).

#define CHUNK 16
#define THREADS_X 16
#define THREADS_Y 16
#define THREADS (THREADS_X * THREADS_Y)
#define LINEAR_THREADS 256
// Positions per window of the filter gradient: one per thread of a block.
#define WINDOW THREADS

enum {
    G_N, G_CIN, G_COUT, G_GROUPS,
    G_XD, G_XH, G_XW, G_OD, G_OH, G_OW,
    G_KD, G_KH, G_KW, G_SD, G_SH, G_SW,
    G_DD, G_DH, G_DW, G_PD, G_PH, G_PW,
    G_ACTIVATION, G_SLOPE_BITS, G_HAS_BIAS,
    G_COUNT
};

enum { P_CD, P_CH, P_CW, P_JD, P_JH, P_JW, P_FIRST_TILE, PHASE_INTS };

// A coordinate no bounds check accepts, even with a tap's offset added: marks a tile's slots past the data's end.
#define NO_POSITION (-(1 << 30))

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

// One staged chunk into a thread's PI x CJ register tile: acc[i][j] += a[c][ty + 16i] * b[c][tx + 16j] over the
// chunk's CHUNK rows in order. Every kernel's inner loop (rows of a: positions or input channels; of b: channels).
template <int PI, int CJ, int A_COLS, int B_COLS>
__device__ __forceinline__ void accumulate_chunk(float (&acc)[PI][CJ], const float (&a)[CHUNK][A_COLS],
                                                 const float (&b)[CHUNK][B_COLS], int ty, int tx) {
#pragma unroll 4
    for (int c = 0; c < CHUNK; c++) {
        float av[PI], bv[CJ];
        for (int i = 0; i < PI; i++) av[i] = a[c][ty + THREADS_Y * i];
        for (int j = 0; j < CJ; j++) bv[j] = b[c][tx + THREADS_X * j];
        for (int i = 0; i < PI; i++)
            for (int j = 0; j < CJ; j++)
                acc[i][j] = fmaf(av[i], bv[j], acc[i][j]);
    }
}

// A step's registers into a shared tile. Thread tid's slot k is element idx = tid + THREADS*k of the step: in
// row-major order ([CHUNK][COLS], stage_rows), or as (position idx / CHUNK, channel idx % CHUNK) into the
// channel-major tile [CHUNK][positions] (stage_transposed), matching how the loads read global memory.
template <int COLS, int N, int ROW>
__device__ __forceinline__ void stage_rows(float (&tile)[CHUNK][ROW], const float (&r)[N], int tid) {
    for (int k = 0; k < N; k++) {
        const int idx = tid + THREADS * k;
        tile[idx / COLS][idx % COLS] = r[k];
    }
}

template <int N, int ROW>
__device__ __forceinline__ void stage_transposed(float (&tile)[CHUNK][ROW], const float (&r)[N], int tid) {
    for (int k = 0; k < N; k++) {
        const int idx = tid + THREADS * k;
        tile[idx % CHUNK][idx / CHUNK] = r[k];
    }
}

// The phase of forward tile `tile`: the last phase whose first tile is at most `tile`.
__device__ __forceinline__ int find_phase(const int* __restrict__ phases, int phase_count, int tile) {
    int lo = 0, hi = phase_count - 1;
    while (lo < hi) {
        const int mid = (lo + hi + 1) / 2;
        if (phases[mid * PHASE_INTS + P_FIRST_TILE] <= tile) lo = mid; else hi = mid - 1;
    }
    return lo;
}

// With splits > 1, block z = split * groups + group sums input channels [split * split_channels, ...) only and
// writes its raw sums to y + split * |output| (a partial buffer): deconv3d_forward_finish adds the splits in order
// and applies bias and activation. Small problems get enough blocks this way, and the order stays fixed.
template <int PI, int CJ>
__device__ __forceinline__ void forward_tile(const int* __restrict__ g, const int* __restrict__ phases,
                                             const float* __restrict__ x, const float* __restrict__ w,
                                             const float* __restrict__ bias, float* __restrict__ y,
                                             int phase_count, int splits, int split_channels)
{
    constexpr int TILE_P = THREADS_Y * PI, TILE_C = THREADS_X * CJ;
    __shared__ float xs[CHUNK][TILE_P + 1];
    __shared__ float ws[CHUNK][TILE_C];
    // Per position of the tile: its (jd, jh, jw) in the phase (jd < 0: past the phase's end), the input index
    // of (n, jd, jh, jw) itself, and the output index it writes.
    __shared__ int s_jd[TILE_P], s_jh[TILE_P], s_jw[TILE_P];
    __shared__ long long s_in[TILE_P], s_out[TILE_P];

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

    const int phase = find_phase(phases, phase_count, blockIdx.x);
    const int* ph_row = phases + phase * PHASE_INTS;
    const int cd = ph_row[P_CD], ch = ph_row[P_CH], cw = ph_row[P_CW];
    const int jd_count = ph_row[P_JD], jh_count = ph_row[P_JH], jw_count = ph_row[P_JW];
    const long long positions = (long long) g[G_N] * jd_count * jh_count * jw_count;
    const long long p0 = (long long) (blockIdx.x - ph_row[P_FIRST_TILE]) * TILE_P;
    const int group = blockIdx.z % groups;
    const int split = blockIdx.z / groups;
    const int c_first = split * split_channels;
    const int c_end = min(cin_g, c_first + split_channels);
    const int co0 = blockIdx.y * TILE_C;        // within the group
    const int taps = kd * kh * kw;

    for (int p = tid; p < TILE_P; p += THREADS) {
        const long long pos = p0 + p;
        if (pos < positions) {
            const int jw = (int) (pos % jw_count);
            const int jh = (int) (pos / jw_count % jh_count);
            const int jd = (int) (pos / ((long long) jw_count * jh_count) % jd_count);
            const int n = (int) (pos / ((long long) jw_count * jh_count * jd_count));
            s_jd[p] = jd;
            s_jh[p] = jh;
            s_jw[p] = jw;
            s_in[p] = (((long long) n * xd + jd) * xh + jh) * xw + jw;
            s_out[p] = (((long long) n * od_size + cd + (long long) jd * sd) * oh_size + ch + (long long) jh * sh)
                    * ow_size + cw + (long long) jw * sw;
        } else {
            s_jd[p] = -1;
        }
    }
    __syncthreads();

    float acc[PI][CJ];
    for (int i = 0; i < PI; i++)
        for (int j = 0; j < CJ; j++)
            acc[i][j] = 0.0f;

    // Steps (tap of the phase, chunk of input channels), taps ascending: the tap's input offset per axis.
    int tap = -1, c0 = c_first, off_d = 0, off_h = 0, off_w = 0;
    auto next_tap = [&]() {
        for (tap++; tap < taps; tap++) {
            const int nd = cd + pd - tap / (kh * kw) * dd;
            const int nh = ch + ph - tap / kw % kh * dh;
            const int nw = cw + pw - tap % kw * dw;
            if (floor_mod(nd, sd) == 0 && floor_mod(nh, sh) == 0 && floor_mod(nw, sw) == 0) {
                off_d = floor_div(nd, sd);
                off_h = floor_div(nh, sh);
                off_w = floor_div(nw, sw);
                return;
            }
        }
    };
    // The step's inputs and weights into registers: this thread's fixed slots of the shared tiles.
    float xr[PI], wr[CJ];
    auto load = [&]() {
        const long long shift = ((long long) off_d * xh + off_h) * xw + off_w;
        const float* wt = w + ((size_t) group * taps + tap) * cin_g * cout_g;
        for (int k = 0; k < PI; k++) {
            // Consecutive threads read consecutive channels of one position (coalesced).
            const int idx = tid + THREADS * k, p = idx / CHUNK, ci = c0 + idx % CHUNK;
            const int id = s_jd[p] + off_d, ih = s_jh[p] + off_h, iw = s_jw[p] + off_w;
            xr[k] = (s_jd[p] >= 0 && id >= 0 && id < xd && ih >= 0 && ih < xh && iw >= 0 && iw < xw && ci < c_end)
                    ? x[(size_t) (s_in[p] + shift) * cin + group * cin_g + ci]
                    : 0.0f;
        }
        for (int k = 0; k < CJ; k++) {
            const int idx = tid + THREADS * k, ci = c0 + idx / TILE_C, o = idx % TILE_C;
            wr[k] = (ci < c_end && co0 + o < cout_g) ? wt[(size_t) ci * cout_g + co0 + o] : 0.0f;
        }
    };
    // Software pipelining: the next step's global loads are in flight while this step's tiles are multiplied.
    next_tap();
    if (tap < taps) load();
    while (tap < taps) {
        stage_transposed(xs, xr, tid);
        stage_rows<TILE_C>(ws, wr, tid);
        __syncthreads();
        c0 += CHUNK;
        if (c0 >= c_end) {
            c0 = c_first;
            next_tap();
        }
        if (tap < taps) load();
        accumulate_chunk<PI, CJ>(acc, xs, ws, ty, tx);
        __syncthreads();
    }

    const int kind = g[G_ACTIVATION];
    const float slope = __int_as_float(g[G_SLOPE_BITS]);
    const size_t output_length = (size_t) g[G_N] * od_size * oh_size * ow_size * cout;
    float* out = y + split * output_length;
    for (int i = 0; i < PI; i++) {
        const int p = ty + THREADS_Y * i;
        if (s_jd[p] < 0) continue;
        const size_t base = (size_t) s_out[p] * cout + group * cout_g;
        for (int j = 0; j < CJ; j++) {
            const int co = co0 + tx + THREADS_X * j;
            if (co >= cout_g) continue;
            float v = acc[i][j];
            if (splits == 1) {
                if (g[G_HAS_BIAS]) v += bias[group * cout_g + co];
                v = activate(v, kind, slope);
            }
            out[base + co] = v;
        }
    }
}

// The forward's three tile shapes, named by their output channels per tile (CudaGeometry picks one).
#define FORWARD_KERNEL(NAME, PI, CJ)                                                                             \
    extern "C" __global__ void __launch_bounds__(THREADS, 2)                                                        \
    NAME(const int* __restrict__ g, const int* __restrict__ phases, const float* __restrict__ x,                   \
         const float* __restrict__ w, const float* __restrict__ bias, float* __restrict__ y, int phase_count,      \
         int splits, int split_channels) {                                                                         \
        forward_tile<PI, CJ>(g, phases, x, w, bias, y, phase_count, splits, split_channels);                      \
    }
FORWARD_KERNEL(deconv3d_forward_c64, 4, 4)
FORWARD_KERNEL(deconv3d_forward_c32, 8, 2)
FORWARD_KERNEL(deconv3d_forward_c16, 16, 1)

// y[j] = act(partial[0][j] + partial[1][j] + ... in split order + bias[channel of j]).
extern "C" __global__ void __launch_bounds__(LINEAR_THREADS)
deconv3d_forward_finish(const int* __restrict__ g, const float* __restrict__ partial,
                        const float* __restrict__ bias, float* __restrict__ y, int splits, int count)
{
    const int j = blockIdx.x * LINEAR_THREADS + threadIdx.x;
    if (j >= count) return;
    float v = partial[j];
    for (int s = 1; s < splits; s++) v += partial[(size_t) s * count + j];
    if (g[G_HAS_BIAS]) v += bias[j % g[G_COUT]];
    y[j] = activate(v, g[G_ACTIVATION], __int_as_float(g[G_SLOPE_BITS]));
}

// ---- Gradients ----------------------------------------------------------------------------------------------
//
// With go = dy * act'(y) (deconv3d_grad_scale, in place over dy):
//   input gradient   dx[n,i,ci] = sum over taps t and co of go[n, i*s + t*dil - pad, co] * w[t,ci,co]
//   filter gradient  dw[t,ci,co] = sum over n and i of x[n,i,ci] * go[n, i*s + t*dil - pad, co]
//   bias gradient    db[co]      = sum over n and o of go[n,o,co]
// where a tap that lands outside the output adds nothing (the specification's rule, see AxisPhases.reached).


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

extern "C" __global__ void __launch_bounds__(LINEAR_THREADS)
deconv3d_grad_scale(const int* __restrict__ g, float* __restrict__ go, const float* __restrict__ y, int count)
{
    const int i = blockIdx.x * LINEAR_THREADS + threadIdx.x;
    const int kind = g[G_ACTIVATION];
    if (i < count && kind != ACT_NONE) {
        go[i] = go[i] * derivative_from_output(y[i], kind, __int_as_float(g[G_SLOPE_BITS]));
    }
}

// A block computes TILE_P input positions (flattened over (n, id, ih, iw)) times TILE_C input channels of one
// group; per tap, chunks of CHUNK output channels of go and w go through shared memory, and each thread keeps a
// PI x CJ register tile (positions ty + 16i, channels tx + 16j), summing taps, then channels, in order.
// The sum runs over steps (tap, chunk of CHUNK output channels), taps ascending. With splits > 1, block
// z = split * groups + group sums steps [split * split_steps, ...) only, into dx + split * |input| (a partial buffer
// that deconv3d_grad_reduce adds up in order): a small input with a large filter still fills the GPU.
template <int PI, int CJ>
__device__ __forceinline__ void input_gradient_tile(const int* __restrict__ g, const float* __restrict__ go,
                                                    const float* __restrict__ w, float* __restrict__ dx,
                                                    int split_steps)
{
    constexpr int TILE_P = THREADS_Y * PI, TILE_C = THREADS_X * CJ;
    __shared__ float gs[CHUNK][TILE_P + 1];
    __shared__ float ws[CHUNK][TILE_C + 1];
    // Per position of the tile: the output position tap (0,0,0) reaches, per axis (od < 0 past the input's end
    // too: NO_POSITION), and as an index; tap t adds t*dil per axis. Index math once per tile, adds per tap.
    __shared__ int s_od[TILE_P], s_oh[TILE_P], s_ow[TILE_P];
    __shared__ long long s_o[TILE_P];

    const int cin = g[G_CIN], cout = g[G_COUT], groups = g[G_GROUPS];
    const int xd = g[G_XD], xh = g[G_XH], xw = g[G_XW];
    const int od_size = g[G_OD], oh_size = g[G_OH], ow_size = g[G_OW];
    const int kd = g[G_KD], kh = g[G_KH], kw = g[G_KW];
    const int cin_g = cin / groups, cout_g = cout / groups;
    const int taps = kd * kh * kw;

    const int tx = threadIdx.x, ty = threadIdx.y, tid = ty * THREADS_X + tx;
    const long long positions = (long long) g[G_N] * xd * xh * xw;
    const long long p0 = (long long) blockIdx.x * TILE_P;
    const int group = blockIdx.z % groups;
    const int split = blockIdx.z / groups;
    const int chunks = (cout_g + CHUNK - 1) / CHUNK;
    const int step_end = min(taps * chunks, (split + 1) * split_steps);
    const int ci0 = blockIdx.y * TILE_C;

    for (int p = tid; p < TILE_P; p += THREADS) {
        const long long pos = p0 + p;
        if (pos < positions) {
            const int iw = (int) (pos % xw);
            const int ih = (int) (pos / xw % xh);
            const int id = (int) (pos / ((long long) xw * xh) % xd);
            const int n = (int) (pos / ((long long) xw * xh * xd));
            s_od[p] = id * g[G_SD] - g[G_PD];
            s_oh[p] = ih * g[G_SH] - g[G_PH];
            s_ow[p] = iw * g[G_SW] - g[G_PW];
            s_o[p] = (((long long) n * od_size + s_od[p]) * oh_size + s_oh[p]) * ow_size + s_ow[p];
        } else {
            s_od[p] = NO_POSITION;
        }
    }
    __syncthreads();

    float acc[PI][CJ];
    for (int i = 0; i < PI; i++)
        for (int j = 0; j < CJ; j++)
            acc[i][j] = 0.0f;

    // Software pipelined as the forward.
    int step = split * split_steps;
    float gr[PI], wr[CJ];
    auto load = [&]() {
        const int tap = step / chunks, c0 = step % chunks * CHUNK;
        const int off_d = tap / (kh * kw) * g[G_DD], off_h = tap / kw % kh * g[G_DH], off_w = tap % kw * g[G_DW];
        const long long shift = ((long long) off_d * oh_size + off_h) * ow_size + off_w;
        const float* wt = w + ((size_t) group * taps + tap) * cin_g * cout_g;
        for (int k = 0; k < PI; k++) {
            const int idx = tid + THREADS * k, p = idx / CHUNK, co = c0 + idx % CHUNK;
            const int od = s_od[p] + off_d, oh = s_oh[p] + off_h, ow = s_ow[p] + off_w;
            gr[k] = (co < cout_g && od >= 0 && od < od_size && oh >= 0 && oh < oh_size && ow >= 0 && ow < ow_size)
                    ? go[(size_t) (s_o[p] + shift) * cout + group * cout_g + co]
                    : 0.0f;
        }
        for (int k = 0; k < CJ; k++) {
            const int idx = tid + THREADS * k, co = c0 + idx / TILE_C, ci = ci0 + idx % TILE_C;
            wr[k] = (co < cout_g && ci < cin_g) ? wt[(size_t) ci * cout_g + co] : 0.0f;
        }
    };
    load();
    while (step < step_end) {
        stage_transposed(gs, gr, tid);
        stage_rows<TILE_C>(ws, wr, tid);
        __syncthreads();
        if (++step < step_end) load();
        accumulate_chunk<PI, CJ>(acc, gs, ws, ty, tx);
        __syncthreads();
    }

    float* out = dx + split * (size_t) positions * cin;
    for (int i = 0; i < PI; i++) {
        const int p = ty + THREADS_Y * i;
        if (p0 + p >= positions) continue;
        const size_t base = (size_t) (p0 + p) * cin + group * cin_g;
        for (int j = 0; j < CJ; j++) {
            const int ci = ci0 + tx + THREADS_X * j;
            if (ci < cin_g) out[base + ci] = acc[i][j];
        }
    }
}

// The input gradient's three tile shapes, named by their input channels per tile (CudaGeometry picks one).
#define INPUT_GRADIENT_KERNEL(NAME, PI, CJ)                                                                      \
    extern "C" __global__ void __launch_bounds__(THREADS, 2)                                                        \
    NAME(const int* __restrict__ g, const float* __restrict__ go, const float* __restrict__ w,                     \
         float* __restrict__ dx, int split_steps) {                                                                \
        input_gradient_tile<PI, CJ>(g, go, w, dx, split_steps);                                                    \
    }
INPUT_GRADIENT_KERNEL(deconv3d_grad_input_c64, 4, 4)
INPUT_GRADIENT_KERNEL(deconv3d_grad_input_c32, 8, 2)
INPUT_GRADIENT_KERNEL(deconv3d_grad_input_c16, 16, 1)

// A block owns TILE_I = 16*PI input channels x TILE_O = 16*CJ output channels of one (group, tap) and sums them over
// its span of input positions (split `split` of `splits`, positions in order), staging CHUNK positions of x and go
// at a time; it writes its partial sums to partial[split] in the packed layout [group][tap][ci][co].
// deconv3d_grad_reduce then adds the splits in order: deterministic, and enough blocks for a small filter over a
// large volume. The tile shape follows the channel counts (16, 32 or 64 each), so few channels waste no FMAs.
template <int PI, int CJ>
__device__ __forceinline__ void filter_gradient_tile(const int* __restrict__ g, const float* __restrict__ x,
                                                     const float* __restrict__ go, float* __restrict__ partial,
                                                     int span)
{
    constexpr int TILE_I = THREADS_Y * PI, TILE_O = THREADS_X * CJ;
    __shared__ float xs[CHUNK][TILE_I + 1];
    __shared__ float gs[CHUNK][TILE_O + 1];
    // Per position of the window: the output position its tap reaches (-1: none).
    __shared__ long long s_go[WINDOW];

    const int n_size = g[G_N], cin = g[G_CIN], cout = g[G_COUT], groups = g[G_GROUPS];
    const int xd = g[G_XD], xh = g[G_XH], xw = g[G_XW];
    const int od_size = g[G_OD], oh_size = g[G_OH], ow_size = g[G_OW];
    const int kd = g[G_KD], kh = g[G_KH], kw = g[G_KW];
    const int cin_g = cin / groups, cout_g = cout / groups;
    const int taps = kd * kh * kw;

    const int tx = threadIdx.x, ty = threadIdx.y, tid = ty * THREADS_X + tx;
    const int tap = blockIdx.x % taps;
    const int split = blockIdx.x / taps;
    const int co_tiles = (cout_g + TILE_O - 1) / TILE_O;
    const int ci0 = (blockIdx.y / co_tiles) * TILE_I;
    const int co0 = (blockIdx.y % co_tiles) * TILE_O;
    const int group = blockIdx.z;
    const int td = tap / (kh * kw), th = tap / kw % kh, tw = tap % kw;
    const long long total = (long long) n_size * xd * xh * xw;
    const long long first = (long long) split * span;
    const long long end = first + span < total ? first + span : total;

    float acc[PI][CJ];
    for (int i = 0; i < PI; i++)
        for (int j = 0; j < CJ; j++)
            acc[i][j] = 0.0f;

    // Positions in windows of WINDOW (one reach computed per thread), each window's chunks software pipelined.
    float xr[PI], gr[CJ];
    long long q0 = first, w0 = first;
    auto load = [&]() {
        for (int k = 0; k < PI; k++) {
            // x: consecutive threads read consecutive channels of one position; go likewise.
            const int idx = tid + THREADS * k, q = idx / TILE_I, c = idx % TILE_I;
            const long long reach = s_go[q0 - w0 + q];
            xr[k] = reach >= 0 && ci0 + c < cin_g ? x[(size_t) (q0 + q) * cin + group * cin_g + ci0 + c] : 0.0f;
        }
        for (int k = 0; k < CJ; k++) {
            const int idx = tid + THREADS * k, q = idx / TILE_O, c = idx % TILE_O;
            const long long reach = s_go[q0 - w0 + q];
            gr[k] = reach >= 0 && co0 + c < cout_g ? go[(size_t) reach * cout + group * cout_g + co0 + c] : 0.0f;
        }
    };
    for (; w0 < end; w0 += WINDOW) {
        const long long w_end = w0 + WINDOW < end ? w0 + WINDOW : end;
        {
            const long long pos = w0 + tid;
            long long reach = -1;
            if (pos < w_end) {
                const int iw = (int) (pos % xw);
                const int ih = (int) (pos / xw % xh);
                const int id = (int) (pos / ((long long) xw * xh) % xd);
                const int n = (int) (pos / ((long long) xw * xh * xd));
                const int od = reached(id, td, g[G_SD], g[G_DD], g[G_PD], od_size);
                const int oh = reached(ih, th, g[G_SH], g[G_DH], g[G_PH], oh_size);
                const int ow = reached(iw, tw, g[G_SW], g[G_DW], g[G_PW], ow_size);
                if (od >= 0 && oh >= 0 && ow >= 0) {
                    reach = (((long long) n * od_size + od) * oh_size + oh) * ow_size + ow;
                }
            }
            s_go[tid] = reach;
        }
        __syncthreads();
        q0 = w0;
        load();
        while (q0 < w_end) {
            stage_rows<TILE_I>(xs, xr, tid);
            stage_rows<TILE_O>(gs, gr, tid);
            __syncthreads();
            q0 += CHUNK;
            if (q0 < w_end) load();
            accumulate_chunk<PI, CJ>(acc, xs, gs, ty, tx);
            __syncthreads();
        }
    }

    float* out = partial + (size_t) split * groups * taps * cin_g * cout_g
            + ((size_t) group * taps + tap) * cin_g * cout_g;
    for (int i = 0; i < PI; i++) {
        const int ci = ci0 + ty + THREADS_Y * i;
        if (ci >= cin_g) continue;
        for (int j = 0; j < CJ; j++) {
            const int co = co0 + tx + THREADS_X * j;
            if (co < cout_g) out[(size_t) ci * cout_g + co] = acc[i][j];
        }
    }
}

// The filter gradient's nine tile shapes, named by their input and output channels per tile.
#define FILTER_GRADIENT_KERNEL(NAME, PI, CJ)                                                                     \
    extern "C" __global__ void __launch_bounds__(THREADS, 3)                                                        \
    NAME(const int* __restrict__ g, const float* __restrict__ x, const float* __restrict__ go,                     \
         float* __restrict__ partial, int span) {                                                                  \
        filter_gradient_tile<PI, CJ>(g, x, go, partial, span);                                                     \
    }
FILTER_GRADIENT_KERNEL(deconv3d_grad_filter_i16_o16, 1, 1)
FILTER_GRADIENT_KERNEL(deconv3d_grad_filter_i16_o32, 1, 2)
FILTER_GRADIENT_KERNEL(deconv3d_grad_filter_i16_o64, 1, 4)
FILTER_GRADIENT_KERNEL(deconv3d_grad_filter_i32_o16, 2, 1)
FILTER_GRADIENT_KERNEL(deconv3d_grad_filter_i32_o32, 2, 2)
FILTER_GRADIENT_KERNEL(deconv3d_grad_filter_i32_o64, 2, 4)
FILTER_GRADIENT_KERNEL(deconv3d_grad_filter_i64_o16, 4, 1)
FILTER_GRADIENT_KERNEL(deconv3d_grad_filter_i64_o32, 4, 2)
FILTER_GRADIENT_KERNEL(deconv3d_grad_filter_i64_o64, 4, 4)

// out[j] = partial[0][j] + partial[1][j] + ... in split order (the filter's and the bias's partial sums).
extern "C" __global__ void __launch_bounds__(LINEAR_THREADS)
deconv3d_grad_reduce(const int* __restrict__ g, const float* __restrict__ partial, float* __restrict__ out,
                     int splits, int count)
{
    const int j = blockIdx.x * LINEAR_THREADS + threadIdx.x;
    if (j >= count) return;
    float sum = partial[j];
    for (int s = 1; s < splits; s++) sum += partial[(size_t) s * count + j];
    out[j] = sum;
}

#define BIAS_CHANNELS 32
#define BIAS_ROWS 8

// The bias gradient's partial sums: block (channel tile, split) sums the output positions of its span for 32
// channels, thread (tx, ty) taking positions ty, ty + 8, ... in order (a warp reads 32 consecutive channels of
// one position), then the 8 rows are added in order; partial[split][co]. deconv3d_grad_reduce adds the splits.
extern "C" __global__ void __launch_bounds__(BIAS_CHANNELS * BIAS_ROWS)
deconv3d_grad_bias(const int* __restrict__ g, const float* __restrict__ go, float* __restrict__ partial, int span)
{
    __shared__ float sums[BIAS_ROWS][BIAS_CHANNELS];
    const int cout = g[G_COUT];
    const int co = blockIdx.x * BIAS_CHANNELS + threadIdx.x;
    const long long positions = (long long) g[G_N] * g[G_OD] * g[G_OH] * g[G_OW];
    const long long first = (long long) blockIdx.y * span;
    const long long end = first + span < positions ? first + span : positions;
    float s = 0.0f;
    if (co < cout) {
        for (long long p = first + threadIdx.y; p < end; p += BIAS_ROWS) s += go[p * cout + co];
    }
    sums[threadIdx.y][threadIdx.x] = s;
    __syncthreads();
    if (threadIdx.y == 0 && co < cout) {
        float total = sums[0][threadIdx.x];
        for (int r = 1; r < BIAS_ROWS; r++) total += sums[r][threadIdx.x];
        partial[(size_t) blockIdx.y * cout + co] = total;
    }
}
