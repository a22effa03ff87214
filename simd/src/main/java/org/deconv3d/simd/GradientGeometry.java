package org.deconv3d.simd;

import org.deconv3d.AxisPhases;
import org.deconv3d.Deconv3dProblem;
import org.deconv3d.Layout;

/**
 * Where the gradients' data lives: the padded copy of {@code g = dy * act'(y)} both gradients read, the tap
 * offsets into it, the row buffer of the input gradient and the work split of the filter gradient.
 *
 * <p><b>The padded copy</b> holds, per sample, {@code q[0] x q[1] x q[2]} positions of {@code groups x coutPad}
 * floats (each group's output channels rounded up to a whole vector, zeros past them). Padded position {@code q}
 * is output position {@code q - padBefore}; input position {@code i} reaches it through tap {@code t} at
 * {@code q = i*stride + t*dilation}, so every tap of every input position lands inside the copy without a bounds
 * check, and a position no output backs holds zero. Along width the copy reaches {@link #widthRounded} inputs
 * (whole {@link Schedule#TILE}s), so the input gradient's last tile may read past the row.
 */
final class GradientGeometry {

    final Deconv3dProblem problem;
    final int groups;
    final int cinG;
    final int coutG;
    final int cinPadG;
    final int coutPadG;
    final int kvol;
    /** Per axis and tap {@code t}: {@link #first} and {@link #end} at {@code 2t} and {@code 2t + 1} (read per item). */
    private final int[][] reach;
    final int[] in;
    final int[] out;
    final int[] k;
    final int[] s;
    final int[] d;
    final int[] pad;
    /** Input rows per input-gradient item: 2 when a row fits half a tile (the tile's halves are two rows). */
    final int rowsPerItem;
    /** Input width rounded up to whole tiles, or to half a tile when {@link #rowsPerItem} is 2. */
    final int widthRounded;
    /** The padded copy's extent per axis. */
    final int[] q;
    /** Floats per position of the padded copy: {@code groups * coutPadG}. */
    final int channelStride;
    final int gPerSample;
    final int inputPerSample;
    final int outputPerSample;
    /** Per tap {@code (td, th, tw)}: its offset in the padded copy from the position input 0 reaches by tap 0. */
    final int[] tapOffset;
    /**
     * Width taps per input-gradient entry: {@code k[2]} when consecutive width taps read consecutive positions of
     * the padded copy and the positions hold exactly a group's output channels (dilation 1 along width, one group,
     * whole vectors of output channels), else 1. Then the {@code k[2] * coutG} floats that a run of width taps
     * reads are contiguous, and so are its weights ({@link PackedWeights}: taps, then channels), so the kernels
     * sum them as one entry of {@code k[2] * coutG} channels: the same products in the same order (the same bits),
     * a third of the entries for kernel 3, and three times the channel loop's trip count between the per-entry
     * setups (on vol, {@code coutG} = 16 made that setup a large share of each entry).
     */
    final int widthRun;
    /**
     * Per input-gradient entry {@code (td, th, tw0)}, {@code tw0} a multiple of {@link #widthRun}: its offset (one
     * entry per run, {@code kvol / widthRun} in all).
     */
    final int[] entryOffset;
    /**
     * Entries per pass of the input gradient over a row: as many as keep one cin-block's weights (at most 2
     * vectors x coutG per tap) within 16 KiB, half of a small L1, so they stay there across the row's tiles.
     */
    final int entriesPerPass;
    /** {@code -Ddeconv3d.simd.widthRuns=false} sums every tap as its own entry (read per plan; tests). */
    static final String WIDTH_RUN_PROPERTY = "deconv3d.simd.widthRuns";
    /** Floats per position of the input gradient's row buffer: {@code groups * cinPadG}. */
    final int rowStride;
    /** Input channels per filter-gradient item: whole multiples of 16 unless the group has fewer. */
    final int cinPerPart;
    /** Filter-gradient items per group and (td, th): {@code ceil(cinG / cinPerPart)}. */
    final int parts;

    /** The filter gradient's split (see {@link FilterGradientSlices}): by input planes, else by taps. */
    final boolean byPlanes;
    /** By planes: input planes {@code (n, id)} per item. */
    final int planesPerItem;
    /**
     * Whether the filter gradient, by planes and reading {@code dy} in place, also sums the bias gradient's rows:
     * each output plane right after the depth tap {@link #biasTap} has read it (so from cache, where a pass of its
     * own read all of {@code dy} once more: 14-16% of vol's and batch's samples), with the same sums in the same
     * order as {@link GradientPrep}, which keeps the planes no tap reaches.
     */
    final boolean fusedBias;
    /** Per output depth, with {@link #fusedBias}: the depth tap whose pass sums that plane's rows, or -1 for none. */
    final int[] biasTap;
    /** Whether {@link #biasTap} names a tap for every output depth (then no preparation pass is needed). */
    final boolean everyBiasPlaneFused;

    /**
     * Whether the filter gradient copies its positions into dense blocks, channels last, first. In place a
     * position's x and g sit a stride apart ({@code Cin} and {@code s * Cout} floats, 1 KB on gan) that maps them
     * onto a few cache sets, so each register tile streams them from far away again; the copy pays when a position
     * feeds enough FMAs ({@link #PACK_FMAS_PER_VECTOR} per vector copied; A/B, 1 thread: gan 27 -> 20 ms, vol 13.5
     * -> 21 ms if always packed). Channels-first data is always packed: the kernels read a position's channels
     * side by side.
     */
    final boolean packBlocks;
    static final int PACK_FMAS_PER_VECTOR = 32;
    /**
     * Whether the filter gradient keeps its sums output-channel major ({@code [tap][co][ci]}, rows of
     * {@link #sumRowFloats} input channels) and sums them with {@link FilterGradientKernel#m8n2} turned around
     * (8 output channels broadcast from {@code g} times 2 vectors of input channels loaded from {@code x}): where
     * the output channels are one vector (so the input-channel-major tiles have one broadcast per FMA, and on Zen 4 a
     * 512-bit broadcast competes with the FMAs: on L1-resident data 76-83 GFLOP/s of a core's 116 for
     * {@code m16n1}, 96-108 for the tile turned around) and the input channels come in whole pairs of vectors, side
     * by side in {@code x} (channels last, or packed). Each sum is the same chain of FMAs over the positions in the
     * same order either way, so the same bits.
     */
    final boolean sumsByOutputChannel;
    /** {@code -Ddeconv3d.simd.sumsByCout=false} keeps the input-channel-major sums (read per plan; tests, A/B). */
    static final String SUMS_BY_COUT_PROPERTY = "deconv3d.simd.sumsByCout";
    /** {@code -Ddeconv3d.simd.pack=false} turns the packing off for channels-last data (read per plan; tests). */
    static final String PACK_PROPERTY = "deconv3d.simd.pack";

    /**
     * Whether {@code dy} itself can stand in for the padded copy where every read is in range (the filter
     * gradient's): no activation, channels last, no channel padding.
     */
    final boolean gradOutputAsIs;

    /**
     * Whether the input gradient reads {@code dy} in place rather than a padded copy: {@link #gradOutputAsIs}, and
     * either rows of one item each (then an item leaves out the entries whose taps land in the padding along depth
     * or height, which would only add zeros, and its {@linkplain #edgeSlot edge tiles} read
     * {@linkplain #stripSlots strips}: copies of what they read, with the padding's zeros), or a padded copy that
     * would be {@code dy} itself (no padding before, extents equal to the output's, as for kernel = stride with SAME
     * padding: the U-Net upsampling shapes). The copy was a full pass that wrote and read back as much as
     * {@code dy} (19-25% of vol's and batch's samples).
     */
    final boolean inputReadsGradOutput;
    /**
     * Whether the input gradient's items are whole samples (a batch of at least {@link SimdPlan#SAMPLES_PER_WORKER}
     * samples per worker, where {@code dy} is not its own padded copy): each worker copies a sample's {@code g} into
     * its own padded slot and computes the sample's input rows from it while it is in cache, so every tile reads a
     * padded copy (no strips) and no stage-wide copy or barrier is needed. {@code -Ddeconv3d.simd.bySample=false}
     * turns it off (tests, A/B).
     */
    final boolean inputBySample;
    /** {@code -Ddeconv3d.simd.gradInPlace=false} keeps the padded copy wherever it is not {@code dy} itself (tests). */
    static final String IN_PLACE_PROPERTY = "deconv3d.simd.gradInPlace";
    /** In place: per entry, its offset in {@code dy} from what input 0 reaches by tap 0 (cf. {@link #entryOffset}). */
    final int[] gradEntryOffset;
    /** Positions of a padded row that one tile of {@link Schedule#TILE} inputs reads through its width taps. */
    final int edgeSpan;
    /**
     * In place, per tile of a row: -1 where every tap of each of its inputs reads inside the output row, else its
     * index among the row's edge tiles: its part of each {@linkplain #stripSlots strip} holds the
     * {@link #edgeSpan} positions the tile reads from one output row, zeros for those outside the output.
     */
    final int[] edgeSlot;
    /** Edge tiles per row. */
    final int edgeTiles;
    /**
     * Strips in a worker's edge buffer, a strip being what the edge tiles of one row read from one output row of
     * {@code dy}. With {@link #stripsKept}, output row {@code r} (counted over the batch) goes to strip
     * {@code r % stripSlots}, and a strip still holding that row is not filled again: the rows of one item never
     * share a strip (they lie within {@code (k[0]-1) * d[0] + 1} output planes), and the next input row, and the
     * next input plane, find theirs still there (the 2.25 fills per output row of vol and batch drop towards one).
     * Without, one strip per depth-height tap pair, filled for every item.
     */
    final int stripSlots;
    /** Whether strips are kept across a worker's items (see {@link #stripSlots}); not where they would need > 1 MB. */
    final boolean stripsKept;
    /** Most floats of strips a worker keeps. */
    static final long STRIP_FLOATS_KEPT = 1 << 18;

    /** @param workers the most threads a gradient call of the plan uses */
    GradientGeometry(Deconv3dProblem problem, int lanes, int workers) {
        this.problem = problem;
        this.groups = problem.groups();
        this.cinG = problem.inChannelsPerGroup();
        this.coutG = problem.outChannelsPerGroup();
        this.cinPadG = roundUp(cinG, lanes);
        this.coutPadG = roundUp(coutG, lanes);
        this.in = problem.inputSize();
        this.out = problem.outputSize();
        this.k = problem.kernel();
        this.s = problem.stride();
        this.d = problem.dilation();
        this.pad = problem.padBefore();
        this.kvol = k[0] * k[1] * k[2];
        this.reach = new int[3][];
        for (int a = 0; a < 3; a++) {
            reach[a] = new int[2 * k[a]];
            for (int t = 0; t < k[a]; t++) {
                reach[a][2 * t] = AxisPhases.firstReaching(t, s[a], d[a], pad[a], out[a], in[a]);
                reach[a][2 * t + 1] = AxisPhases.endReaching(t, s[a], d[a], pad[a], out[a], in[a]);
            }
        }
        this.rowsPerItem = in[2] <= Schedule.TILE / 2 ? 2 : 1;
        this.widthRounded = rowsPerItem == 2 ? Schedule.TILE / 2 : roundUp(in[2], Schedule.TILE);
        this.q = new int[3];
        for (int a = 0; a < 3; a++) {
            int reach = a == 2 ? widthRounded : in[a];
            q[a] = Math.toIntExact((long) (reach - 1) * s[a] + (long) (k[a] - 1) * d[a] + 1);
        }
        this.channelStride = Math.multiplyExact(groups, coutPadG);
        this.gPerSample = Math.multiplyExact(Math.multiplyExact(Math.multiplyExact(q[0], q[1]), q[2]),
                channelStride);
        this.inputPerSample = problem.inputLength() / problem.batch();
        this.outputPerSample = problem.outputLength() / problem.batch();
        this.tapOffset = new int[kvol];
        for (int td = 0; td < k[0]; td++) {
            for (int th = 0; th < k[1]; th++) {
                for (int tw = 0; tw < k[2]; tw++) {
                    tapOffset[(td * k[1] + th) * k[2] + tw] = ((td * d[0] * q[1] + th * d[1]) * q[2] + tw * d[2])
                            * channelStride;
                }
            }
        }
        this.rowStride = groups * cinPadG;
        int tapsPerPass = Math.max(1, Math.min(kvol, 4096 / Math.max(1, 2 * lanes * coutG)));
        // Runs only where a whole run's weights fit a pass (gan's 128 output channels already make long loops).
        boolean runs = d[2] == 1 && groups == 1 && coutPadG == coutG && k[2] <= tapsPerPass
                && !"false".equals(System.getProperty(WIDTH_RUN_PROPERTY));
        this.widthRun = runs ? k[2] : 1;
        this.entryOffset = new int[kvol / widthRun];
        for (int e = 0; e < entryOffset.length; e++) {
            entryOffset[e] = tapOffset[e * widthRun];
        }
        this.entriesPerPass = tapsPerPass / widthRun;
        this.gradOutputAsIs = problem.activation().kind() == org.deconv3d.Activation.Kind.NONE
                && problem.layout() == Layout.NDHWC && channelStride == problem.outChannels();
        boolean same = true;
        for (int a = 0; a < 3; a++) {
            same &= pad[a] == 0 && q[a] == out[a];
        }
        boolean inPlace = !"false".equals(System.getProperty(IN_PLACE_PROPERTY));
        this.inputBySample = !(gradOutputAsIs && same)
                && problem.batch() >= (long) SimdPlan.SAMPLES_PER_WORKER * Math.max(1, workers)
                && !"false".equals(System.getProperty(SimdPlan.BY_SAMPLE_PROPERTY));
        this.inputReadsGradOutput = gradOutputAsIs && (same || !inputBySample && rowsPerItem == 1 && inPlace);
        this.gradEntryOffset = new int[entryOffset.length];
        for (int e = 0; e < entryOffset.length; e++) {
            int tap = e * widthRun;
            int tw = tap % k[2];
            int th = tap / k[2] % k[1];
            int td = tap / (k[2] * k[1]);
            gradEntryOffset[e] = Math.toIntExact((((long) td * d[0] * out[1] + (long) th * d[1]) * out[2]
                    + (long) tw * d[2]) * channelStride);
        }
        this.edgeSpan = Math.toIntExact((long) (Schedule.TILE - 1) * s[2] + (long) (k[2] - 1) * d[2] + 1);
        int tiles = (in[2] + Schedule.TILE - 1) / Schedule.TILE;
        this.edgeSlot = new int[tiles];
        int edges = 0;
        for (int j = 0; j < tiles; j++) {
            long firstRead = (long) j * Schedule.TILE * s[2] - pad[2];
            boolean inside = firstRead >= 0 && firstRead + edgeSpan <= out[2];
            edgeSlot[j] = inside || !inputReadsGradOutput || same ? -1 : edges++;
        }
        this.edgeTiles = edges;
        long stripFloats = (long) edges * edgeSpan * channelStride;
        long kept = ((long) (k[0] - 1) * d[0] + 1 + s[0]) * out[1];
        this.stripsKept = edges > 0 && kept * stripFloats <= STRIP_FLOATS_KEPT;
        this.stripSlots = edges == 0 ? 0 : stripsKept ? (int) kept : k[0] * k[1];
        // Enough filter-gradient items (64) to balance two or more threads although border taps reach fewer inputs (a
        // fixed split: results never depend on it).
        int perGroup = k[0] * k[1];
        int wanted = Math.max(1, (64 + groups * perGroup - 1) / (groups * perGroup));
        int part = roundUp((cinG + wanted - 1) / wanted, 16);
        this.cinPerPart = Math.min(cinG, part);
        this.parts = (cinG + cinPerPart - 1) / cinPerPart;
        // By planes when 16 partial filters cost less traffic than one more pass over the data: small filters.
        long planes = (long) problem.batch() * in[0];
        this.planesPerItem = (int) Math.max(1, (planes + 15) / 16);
        long planeItems = (planes + planesPerItem - 1) / planesPerItem;
        long partial = (long) groups * kvol * cinG * coutPadG;
        this.byPlanes = planeItems * partial <= (long) problem.inputLength() + problem.outputLength();
        this.fusedBias = byPlanes && gradOutputAsIs;
        this.biasTap = new int[fusedBias ? out[0] : 0];
        boolean every = fusedBias;
        for (int od = 0; od < biasTap.length; od++) {
            biasTap[od] = -1;
            for (int td = 0; td < k[0] && biasTap[od] < 0; td++) {
                long at = (long) od + pad[0] - (long) td * d[0];
                if (at % s[0] == 0 && at >= 0 && at < (long) in[0] * s[0] && takes(0, td, (int) (at / s[0]))) {
                    biasTap[od] = td;
                }
            }
            every &= biasTap[od] >= 0;
        }
        this.everyBiasPlaneFused = every;
        int cinItem = byPlanes ? cinG : cinPerPart;
        boolean pays = (long) cinItem * coutPadG >= (long) PACK_FMAS_PER_VECTOR * (cinItem + coutPadG);
        this.packBlocks = !channelsLast() || pays && !"false".equals(System.getProperty(PACK_PROPERTY));
        this.sumsByOutputChannel = coutPadG == lanes && lanes % 8 == 0 && cinG % (2 * lanes) == 0
                && cinItem % (2 * lanes) == 0 && !"false".equals(System.getProperty(SUMS_BY_COUT_PROPERTY));
    }

    /**
     * Floats between one row of an item's sums and the next: per input channel ({@code coutPadG}), or per output
     * channel ({@link #sumsByOutputChannel}: the item's input channels, {@code cinG} by planes, else
     * {@link #cinPerPart}).
     */
    int sumRowFloats() {
        return sumsByOutputChannel ? (byPlanes ? cinG : cinPerPart) : coutPadG;
    }

    /** Where sum {@code (ci, co)} of a tap's block of sums sits, {@code ci} counted from the item's first channel. */
    int sumAt(int ci, int co) {
        return sumsByOutputChannel ? co * sumRowFloats() + ci : ci * coutPadG + co;
    }

    boolean channelsLast() {
        return problem.layout() == Layout.NDHWC;
    }

    /** Offset in the padded copy of sample {@code n}'s position {@code (qd, qh, qw)}. */
    int padded(int n, int qd, int qh, int qw) {
        return ((n * q[0] + qd) * q[1] + qh) * q[2] * channelStride + qw * channelStride;
    }

    /**
     * Where the filter gradient finds padded position {@code (qd, qh, 0)} of sample {@code n0 + n}: in the padded
     * copy of the chunk, or, when {@link #gradOutputAsIs}, in {@code dy} (only positions an output backs are read).
     */
    int filterRead(int n0, int n, int qd, int qh) {
        if (!gradOutputAsIs) {
            return padded(n, qd, qh, 0);
        }
        return ((((n0 + n) * out[0] + qd - pad[0]) * out[1] + qh - pad[1]) * out[2] - pad[2]) * channelStride;
    }

    /** The distance of one padded height step in what {@link #filterRead} reads. */
    int filterReadPitch() {
        return (gradOutputAsIs ? out[2] : q[2]) * channelStride;
    }

    /**
     * Offset in the padded copy of what input {@code (id, ih, 0)} of sample {@code n} reaches by tap 0 (in
     * {@code dy} when {@link #inputReadsGradOutput}: then {@code n} counts from the batch's first sample).
     */
    int reachedByTapZero(int n, int id, int ih) {
        if (inputReadsGradOutput) {
            // Padded position (qd, qh, 0) is output (qd - pad[0], qh - pad[1], -pad[2]): perhaps outside dy, but every
            // read from here adds an entry's offset that lands inside (the entries kept, the tiles not at an edge).
            return ((((n * out[0] + id * s[0] - pad[0]) * out[1] + ih * s[1] - pad[1]) * out[2] - pad[2]))
                    * channelStride;
        }
        return padded(n, id * s[0], ih * s[1], 0);
    }

    /** Floats of one strip: {@link #edgeSpan} positions per edge tile. */
    int stripFloats() {
        return Math.multiplyExact(edgeTiles, Math.multiplyExact(edgeSpan, channelStride));
    }

    /** Floats of a worker's edge buffer: {@link #stripSlots} strips. */
    int edgeFloats() {
        return Math.multiplyExact(stripSlots, stripFloats());
    }

    /** Input positions along {@code axis} that tap {@code t} maps inside the output: {@code [first, end)}. */
    int first(int axis, int t) {
        return reach[axis][2 * t];
    }

    int end(int axis, int t) {
        return reach[axis][2 * t + 1];
    }

    /** Whether tap {@code t} maps input position {@code i} along {@code axis} inside the output. */
    boolean takes(int axis, int t, int i) {
        return i >= first(axis, t) && i < end(axis, t);
    }

    /** Input-gradient items per claim where strips are kept: a plane's rows, which share strips (else 1). */
    int inputItemsPerClaim() {
        return stripsKept ? inputItemsPerSample() / in[0] : 1;
    }

    /** Floats of one worker's input-gradient row buffer. */
    int rowFloats() {
        return Math.multiplyExact(rowsPerItem * widthRounded, rowStride);
    }

    /** Input-gradient items per sample: (id, pair or single ih). */
    int inputItemsPerSample() {
        return in[0] * ((in[1] + rowsPerItem - 1) / rowsPerItem);
    }

    /**
     * Floats of one filter-gradient item's sums: by taps, {@code k[2]} taps of a part's channels; by planes, the
     * whole filter with output channels padded to vectors.
     */
    int sumFloats() {
        if (byPlanes) {
            return Math.multiplyExact(Math.multiplyExact(groups * kvol, cinG), coutPadG);
        }
        return Math.multiplyExact(Math.multiplyExact(k[2], cinPerPart), coutPadG);
    }

    static int roundUp(int v, int to) {
        return Math.toIntExact(((long) v + to - 1) / to * to);
    }
}
