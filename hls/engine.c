/*
 * engine.c - lfk_engine: one kernel that runs a descriptor list of any op
 * (conv2d, matmul, max/average pooling, add, mul), so the host can run a whole
 * device segment of a network (conv -> maxpool -> conv -> add -> global
 * average pool -> matmul) in one launch, its activations staying in act.
 * One source for Vitis HLS, host C (emulator) and OpenCL C; see
 * hls/README.md for the structure and the resource cost.
 *
 * Each descriptor goes to the same per-descriptor function the op's own
 * kernel runs (conv_layer, mm_layer, pool_layer, add_layer), with the same
 * on-chip buffers, so a descriptor gives the same bytes, status and
 * modeled cycles here as in lfk_conv2d / lfk_matmul / lfk_pool / lfk_add.
 * The layer sources are included, not linked: every build of a kernel is
 * one translation unit (v++ -c takes one source per kernel here, and the
 * OpenCL backend builds one program text per kernel source), and
 * LF_ENGINE_BUILD leaves their own top functions out.
 *
 * Like a DPU-style overlay, the engine instantiates every datapath: its
 * area is the sum of the four kernels' (hls/README.md).
 */
#define LF_ENGINE_BUILD 1

#include "lf_csum.h"
#include "lf_kdesc.h"

#include "conv2d.c"
#include "matmul.c"
#include "pool.c"
#include "add.c"

/*
 * LF_KOP_CSUM (lf_desc.h "Checksum"): the digest of act bytes [x_off,
 * x_off + csum_len) into words y_off .. y_off + 3 of the list. Checked
 * before anything is read. The range's beats stream at II 1 (csum_beats:
 * one whole beat a cycle, the bytes outside the range masked), the 32
 * lanes' sums fold into the digest on chip (csum_fold), and the digest
 * goes out as four word writes on the desc port (charged below as four
 * cycles; the status word is LF_DESC_CYCLES').
 */
static lf_i32 csum_layer(LF_GLOBAL lf_u32 *desc, lf_u32 ndesc,
			 LF_GLOBAL const lf_beat *act, lf_u32 act_bytes,
			 const lf_desc *d)
{
	lf_u32 len = d->csum_len;
	lf_u64 end = (lf_u64)d->x_off + len;
	lf_u32 b0 = d->x_off / LF_BEAT_BYTES;
	lf_u64 b1 = (end + LF_BEAT_BYTES - 1) / LF_BEAT_BYTES;
	lf_u32 nb = len ? (lf_u32)(b1 - b0) : 0;
	lf_i32 st = LF_KST_OK;
	if (d->magic != LF_DESC_MAGIC)
		st = LF_KST_BAD_MAGIC;
	else if (d->flags != 0)
		st = LF_KST_BAD_OP;
	else if ((len && b1 * LF_BEAT_BYTES > (lf_u64)act_bytes) ||
		 (lf_u64)d->y_off + LF_CSUM_WORDS >
		     (lf_u64)ndesc * LF_DESC_WORDS)
		st = LF_KST_BOUNDS;
	LF_DESC_DONE();
	if (st != LF_KST_OK)
		return st;
	lf_u32 s[LF_CSUM_LANES], t[LF_CSUM_LANES];
#pragma HLS ARRAY_PARTITION variable=s type=complete
#pragma HLS ARRAY_PARTITION variable=t type=complete
	for (lf_u32 k = 0; k < LF_CSUM_LANES; k++) {
#pragma HLS UNROLL
		s[k] = 0;
		t[k] = 0;
	}
	/* The first beat's bytes from lo, the last one's below hi. */
	lf_u32 lo = d->x_off % LF_BEAT_BYTES;
	lf_u32 hi = nb ? (lf_u32)(end - (lf_u64)(b0 + nb - 1) * LF_BEAT_BYTES)
		       : 0;
	LF_PIPE_BEGIN(csum_beats);
csum_beats:
	for (lf_u32 v = 0; v < nb; v++) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=1 max=65536 avg=2400
		LF_PIPE(csum_beats);
		lf_u8 b[LF_BEAT_BYTES];
#pragma HLS ARRAY_PARTITION variable=b type=complete
		lf_beat_rd(act, b0 + v, b);
		lf_u32 jl = v == 0 ? lo : 0;
		lf_u32 jh = v + 1 == nb ? hi : LF_BEAT_BYTES;
		for (lf_u32 j = 0; j < LF_BEAT_BYTES; j++) {
#pragma HLS UNROLL
			if (!lf_csum_keep(j, jl, jh))
				b[j] = 0;
		}
		lf_csum_beat(s, t, b);
	}
	LF_PIPE_END(csum_beats);
	lf_u32 dg[LF_CSUM_WORDS];
#pragma HLS ARRAY_PARTITION variable=dg type=complete
	for (lf_u32 w = 0; w < LF_CSUM_WORDS; w++) {
#pragma HLS UNROLL
		dg[w] = 0;
	}
	LF_PIPE_BEGIN(csum_fold);
csum_fold:
	for (lf_u32 k = 0; k < LF_CSUM_LANES; k++) {
#pragma HLS PIPELINE II=1
		LF_PIPE(csum_fold);
		lf_csum_fold(k, s[k], t[k], dg);
	}
	LF_PIPE_END(csum_fold);
	for (lf_u32 w = 0; w < LF_CSUM_WORDS; w++) {
#pragma HLS UNROLL
		desc[d->y_off + w] = dg[w];
	}
#if !defined(LF_OPENCL) && !defined(LF_HLS)
	lfk__cycles += LF_CSUM_WORDS; /* the digest's word writes */
#endif
	return LF_KST_OK;
}

/* The ring's flag beats of a barrier descriptor are inside act and its
 * lane < k (lf_desc.h "Barrier"); 1 when they are not. */
LF_INLINE int eng_sync_bad(const lf_desc *d, lf_u32 act_bytes)
{
	lf_u32 k = d->sync & 0xffu, lane = (d->sync >> 8) & 0xffu;
	if (k < 2 || k != LFK_SYNC_RING)
		return 0;
	return lane >= k || d->sync_off % LF_BEAT_BYTES != 0 ||
	       !lfk_inside(d->sync_off, (lf_u64)k * LF_BEAT_BYTES, act_bytes);
}

#if LFK_SYNC_RING >= 2
/* Bytes 0-3 of flag beat @fb of act, little-endian. */
LF_INLINE lf_u32 eng_flag(LF_GLOBAL const lf_beat *act, lf_u32 fb)
{
	lf_u8 b[LF_BEAT_BYTES];
	lf_beat_rd(act, fb, b);
	return (lf_u32)b[0] | ((lf_u32)b[1] << 8) | ((lf_u32)b[2] << 16) |
	       ((lf_u32)b[3] << 24);
}

/* Flag @f has reached barrier number @want (lf_desc.h "Barrier"): the
 * same launch (bits 8-31, its nonce) and at least that barrier. */
LF_INLINE int eng_flag_at(lf_u32 f, lf_u32 want)
{
	return (f >> 8) == (want >> 8) && (f & 0xffu) >= (want & 0xffu);
}

/*
 * The barrier after checked descriptor @d (lf_desc.h "Barrier"): this
 * CU's flag gets the barrier's number, then every flag of the ring must
 * reach it. *@n counts the launch's barriers; *@base is the launch's
 * nonce (its last descriptor's, the same on every CU of the group) times
 * 256, read at the first. Returns 0 when the barrier failed.
 * In HLS the CU polls the flags through act (volatile reads, at most
 * LF_SYNC_POLLS rounds); in host C the emulator's hook (lfk__sync)
 * waits for the other CU threads and puts the cycle counter at the last
 * arrival, and the flags are then checked as a card would poll them.
 * UNVERIFIED on hardware: that HLS orders the flag write after the
 * layer's data writes have their responses (the flag's write must not
 * overtake them), and issues every poll as a fresh read.
 */
static int eng_sync(LF_GLOBAL const lf_u32 *desc, lf_u32 ndesc,
		    LF_GLOBAL lf_beat *act, const lf_desc *d, lf_u32 *n,
		    lf_u32 *base)
{
	lf_u32 k = d->sync & 0xffu, lane = (d->sync >> 8) & 0xffu;
	lf_u32 fb = d->sync_off / LF_BEAT_BYTES;
	if (*n == 0) {
		*base = (desc[(ndesc - 1) * LF_DESC_WORDS + LF_DESC_NONCE_WORD] &
			 LF_KST_NONCE_MASK)
			<< 8;
#if !defined(LF_HLS)
		lfk__cycles += LF_LAT_MEM; /* that word's read, once */
#endif
	}
	if (*n == 0xffu)
		return 0; /* 255 barriers a launch at most */
	*n += 1;
	lf_u32 want = *base | *n;
	lf_u8 o[LF_BEAT_BYTES];
	for (lf_u32 j = 0; j < LF_BEAT_BYTES; j++) {
#pragma HLS UNROLL
		o[j] = j < 4 ? (lf_u8)(want >> (8 * j)) : 0;
	}
	lf_beat_wr(act, fb + lane, o);
#if defined(LF_HLS)
	LF_GLOBAL volatile const lf_beat *va = act;
	lf_u32 done = 0;
	for (lf_u32 t = 0; t < LF_SYNC_POLLS && !done; t++) {
		done = 1;
		for (lf_u32 m = 0; m < k; m++) {
#pragma HLS LOOP_TRIPCOUNT min=2 max=LF_ENGINE_SYNC avg=2
			lf_beat v = va[fb + m];
			lf_u32 f = (lf_u32)v.b[0] | ((lf_u32)v.b[1] << 8) |
				   ((lf_u32)v.b[2] << 16) |
				   ((lf_u32)v.b[3] << 24);
			if (!eng_flag_at(f, want))
				done = 0;
		}
	}
	return (int)done;
#else
	if (!lfk__sync(k))
		return 0;
	for (lf_u32 m = 0; m < k; m++) {
#pragma HLS LOOP_TRIPCOUNT min=2 max=LF_ENGINE_SYNC avg=2
		if (!eng_flag_at(eng_flag(act, fb + m), want))
			return 0;
	}
	return 1;
#endif
}
#endif

LF_EXPORT LF_KERNEL void lfk_engine(LF_GLOBAL lf_u32 *desc, lf_u32 ndesc,
				    LF_GLOBAL const lf_beat *params,
				    lf_u32 params_bytes, LF_GLOBAL lf_beat *act,
				    lf_u32 act_bytes)
{
/* Interfaces: UG1399 "pragma HLS interface"; depths (elements: beats on
 * params/act) size C/RTL cosim only; latency and the outstanding counts
 * are the cycle model's LF_LAT_MEM / LF_AXI_OUTSTANDING (lf_config.h). */
#pragma HLS INTERFACE mode=m_axi port=desc offset=slave bundle=gmem0 depth=1024 max_read_burst_length=64 max_widen_bitwidth=512 num_read_outstanding=LF_AXI_OUTSTANDING num_write_outstanding=LF_AXI_OUTSTANDING latency=LF_LAT_MEM
#pragma HLS INTERFACE mode=m_axi port=params offset=slave bundle=gmem1 depth=65536 max_read_burst_length=64 max_widen_bitwidth=512 num_read_outstanding=LF_AXI_OUTSTANDING num_write_outstanding=LF_AXI_OUTSTANDING latency=LF_LAT_MEM
#pragma HLS INTERFACE mode=m_axi port=act offset=slave bundle=gmem2 depth=65536 max_read_burst_length=64 max_write_burst_length=64 max_widen_bitwidth=512 num_read_outstanding=LF_AXI_OUTSTANDING num_write_outstanding=LF_AXI_OUTSTANDING latency=LF_LAT_MEM
#pragma HLS INTERFACE mode=s_axilite port=desc bundle=control
#pragma HLS INTERFACE mode=s_axilite port=ndesc bundle=control
#pragma HLS INTERFACE mode=s_axilite port=params bundle=control
#pragma HLS INTERFACE mode=s_axilite port=params_bytes bundle=control
#pragma HLS INTERFACE mode=s_axilite port=act bundle=control
#pragma HLS INTERFACE mode=s_axilite port=act_bytes bundle=control
#pragma HLS INTERFACE mode=s_axilite port=return bundle=control

	/* Every op's on-chip buffers, partitioned as in its own kernel. The
	 * datapaths never run at the same time; sharing their memories
	 * (one URAM pool for wbuf / bbuf) is a later area optimisation. */
	LF_ONCHIP lf_u8 wbuf[LF_CONV_PE_OC][LF_CONV_KVEC][LF_CONV_PE_K];
#pragma HLS ARRAY_PARTITION variable=wbuf type=complete dim=1
#pragma HLS ARRAY_PARTITION variable=wbuf type=complete dim=3
	LF_ONCHIP lf_u8 xbuf[LF_CONV_XVEC][LF_CONV_PE_K];
#pragma HLS ARRAY_PARTITION variable=xbuf type=complete dim=2
	LF_ONCHIP lf_u8 ct[LF_CONV_BEAT][LF_CONV_PE_K];
#pragma HLS ARRAY_PARTITION variable=ct type=complete dim=0
	LF_ONCHIP lf_u32 accbuf[LF_CONV_PE_OC][LF_CONV_TW_MAX];
#pragma HLS ARRAY_PARTITION variable=accbuf type=complete dim=1
	/* Blocked datapath (lf_conv_blk.h): 512-bit words (one beat) reshaped
	 * from the lanes; the weight rows banked by output channel (OC rows a
	 * cycle), the line buffer by column mod 2 * PIX (PIX pixels sw <= 2
	 * apart a cycle), the accumulator row by pixel and lane. */
	LF_ONCHIP lf_u8 bwbuf[LF_BLK_WBEATS * LF_BLK_LANES][LF_BLK_LANES];
#pragma HLS ARRAY_RESHAPE variable=bwbuf type=complete dim=2
#pragma HLS ARRAY_PARTITION variable=bwbuf type=cyclic factor=LF_BLK_OC dim=1
	/* The resident first block (lf_config.h LF_BLK_WRES, lf_conv_blk.h
	 * blk_run): LF_BLK_W0B banks of 512-bit words, in UltraRAM (8
	 * URAM288 a bank, UG573; make hw-budget); written before a
	 * descriptor's bands, read by blk_obs's weight process only.
	 * UNVERIFIED: only csynth shows the binding. */
	LF_ONCHIP lf_u8 bw0buf[LF_BLK_W0BEATS][LF_BLK_LANES];
#pragma HLS ARRAY_RESHAPE variable=bw0buf type=complete dim=2
#pragma HLS ARRAY_PARTITION variable=bw0buf type=cyclic factor=LF_BLK_W0F dim=1
#pragma HLS BIND_STORAGE variable=bw0buf type=ram_1p impl=uram
	/* Its constants, and which descriptor it holds (lf_conv_blk.h
	 * blk_w0s): registers. */
	struct blk_w0s bw0s;
#pragma HLS ARRAY_PARTITION variable=bw0s.m0 type=complete
#pragma HLS ARRAY_PARTITION variable=bw0s.dw0 type=complete
#pragma HLS ARRAY_PARTITION variable=bw0s.c0 type=complete
	bw0s.pre = 0;
	LF_ONCHIP lf_u8 blbuf[LF_BLK_LBEATS][LF_BLK_LANES];
#pragma HLS ARRAY_RESHAPE variable=blbuf type=complete dim=2
#pragma HLS ARRAY_PARTITION variable=blbuf type=cyclic factor=LF_BLK_LB_BANKS dim=1
	/* The line buffer's banks are 512 bits wide and at most
	 * LBEATS / (2 * PIX) deep: in URAM (8 URAM288 side by side a bank,
	 * UG573) rather than 15 RAMB18 each, where the weights already hold
	 * most of the block RAM (make hw-budget). One port reads, the other
	 * writes: each bank sees at most one read a cycle (the cyclic
	 * banking above). UNVERIFIED: only csynth shows the binding. */
#pragma HLS BIND_STORAGE variable=blbuf type=ram_2p impl=uram
	LF_ONCHIP lf_u32 baccrow[LF_BLK_IW_MAX][LF_BLK_ACC];
#pragma HLS ARRAY_PARTITION variable=baccrow type=cyclic factor=LF_BLK_PIX dim=1
#pragma HLS ARRAY_PARTITION variable=baccrow type=complete dim=2
	LF_ONCHIP lf_u8 abuf[LF_MM_KVEC][LF_MM_PE_K];
#pragma HLS ARRAY_PARTITION variable=abuf type=complete dim=2
	LF_ONCHIP lf_u8 bbuf[LF_MM_PE_N][LF_MM_KVEC][LF_MM_PE_K];
#pragma HLS ARRAY_PARTITION variable=bbuf type=complete dim=1
#pragma HLS ARRAY_PARTITION variable=bbuf type=complete dim=3
	LF_ONCHIP lf_u8 rbuf[LF_POOL_ROW];
#pragma HLS ARRAY_PARTITION variable=rbuf type=cyclic factor=LF_CONV_BEAT
	/* The blocked pooling and add datapaths' (pool.c, add.c). */
	LF_ONCHIP lf_u8 rbb[LF_POOL_BLK_ROW][LF_BLK_LANES];
#pragma HLS ARRAY_PARTITION variable=rbb type=complete dim=2
#pragma HLS ARRAY_PARTITION variable=rbb type=cyclic factor=4 dim=1
	LF_ONCHIP lf_u8 mxb[LF_POOL_BLK_TW][LF_BLK_LANES];
#pragma HLS ARRAY_PARTITION variable=mxb type=complete dim=2
	LF_ONCHIP float sumb[LF_POOL_BLK_TW][LF_BLK_LANES];
#pragma HLS ARRAY_PARTITION variable=sumb type=complete dim=2
	/* The add's (and mul's) chunk of x shares rbb (one datapath at a
	 * time); its chunk of x2 is also the streamed max pool's second row
	 * accumulator (pool.c pool_blk_rows), which reads LF_POOL_BLK_KWP
	 * consecutive pixels a cycle as from rbb: cyclic by 4 like rbb (the
	 * add reads one pixel a cycle either way). rbb and x2ab are also
	 * the blocked conv's fused max pool's row accumulators (LF_DF_POOL,
	 * lf_conv_blk.h blk_store_pool): one datapath at a time. */
	LF_ONCHIP lf_u8 x2ab[LF_POOL_BLK_ROW][LF_BLK_LANES];
#pragma HLS ARRAY_PARTITION variable=x2ab type=complete dim=2
#pragma HLS ARRAY_PARTITION variable=x2ab type=cyclic factor=4 dim=1

#if LFK_SYNC_RING >= 2
	lf_u32 nsync = 0, sbase = 0; /* the launch's barriers (eng_sync) */
#endif
	for (lf_u32 i = 0; i < ndesc; i++) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=256 avg=8
		lf_desc d;
		lfk_desc_fetch(desc, i, &d);
		lf_i32 st;
		/* Each layer function checks the magic first, as lf_desc.h
		 * orders the checks; an op no datapath runs is checked here,
		 * a barrier's flags before the op's own checks. */
		if (d.magic == LF_DESC_MAGIC && eng_sync_bad(&d, act_bytes)) {
			st = LF_KST_BOUNDS;
			LF_DESC_DONE();
		} else if (d.op == LF_KOP_CONV2D) {
			st = conv_layer(desc, ndesc, i, params, params_bytes,
					act, act_bytes, &d, wbuf, xbuf, ct,
					accbuf, bw0buf, &bw0s, bwbuf, blbuf,
					baccrow, rbb, x2ab);
		} else if (d.op == LF_KOP_MATMUL) {
			st = mm_layer(params, params_bytes, act, act_bytes, &d,
				      abuf, bbuf);
		} else if (d.op == LF_KOP_MAXPOOL || d.op == LF_KOP_AVGPOOL) {
			st = pool_layer(act, act_bytes, &d, rbuf, rbb, mxb,
					sumb, x2ab);
		} else if (d.op == LF_KOP_ADD || d.op == LF_KOP_MUL) {
			st = add_layer(act, act_bytes, &d, rbb, x2ab);
		} else if (d.op == LF_KOP_CSUM) {
			st = csum_layer(desc, ndesc, act, act_bytes, &d);
		} else {
			st = d.magic != LF_DESC_MAGIC ? LF_KST_BAD_MAGIC
						      : LF_KST_BAD_OP;
			LF_DESC_DONE();
		}
#if LFK_SYNC_RING >= 2
		/* The barrier, once the layer's output is written: its wait
		 * is part of the layer's time. */
		if (st == LF_KST_OK && (d.sync & 0xffu) >= 2 &&
		    !eng_sync(desc, ndesc, act, &d, &nsync, &sbase))
			st = LF_KST_BAD_OP;
#endif
		lfk_desc_status(desc, i, st, d.nonce);
		LF_DESC_END();
		if (st != LF_KST_OK)
			break;
	}
}
