/*
 * matmul.c - lfk_matmul: quantized (batched) matmul (QLinearMatMul,
 * MatMulInteger, fully connected layers) over a list of descriptors. One
 * source for Vitis HLS, host C (emulator) and OpenCL C; see lf_kernel.h for
 * the rules and hls/README.md for the structure.
 *
 * Y[batch][m][n] = A[batch][m][k] * B[w_batch][k][n], per descriptor:
 *   for each tile of PE_N columns of B:
 *     for each batch entry:
 *       load the k x PE_N block of B into bbuf      (once if w_batch == 1)
 *       for each row of A:
 *         load the row into abuf                   (PE_K bytes per cycle)
 *         MAC loop, II=1: PE_K reduction lanes x PE_N columns per cycle
 *         requantize the PE_N outputs and write them (one burst)
 *
 * B comes from params (weights) or, with LF_DF_B_ACT, from act (attention
 * scores x values and the like). Operands stay raw bytes on chip; the zero
 * points are subtracted in front of each multiplier.
 */
#include "lf_config.h"
#include "lf_desc.h"
#include "lf_kdesc.h"
#include "lf_kutil.h"
#include "lf_pipes.h"

/* Derived from a descriptor once it has passed mm_check(). */
struct mm_geo {
	lf_u32 kvec;  /* vectors of PE_K along k */
	lf_u32 ysz;   /* bytes per output element: 1 or 4 */
	lf_u32 nq;    /* w_zp / mult entries: 1 or n */
	lf_u32 b_act; /* B is read from act */
	lf_u32 b_off; /* byte offset of B in its buffer */
};

/* Everything but the w_zp entries; fills *g when it returns LF_KST_OK. */
static lf_i32 mm_check(const lf_desc *d, lf_u32 params_bytes, lf_u32 act_bytes,
		       struct mm_geo *g)
{
	if (d->magic != LF_DESC_MAGIC)
		return LF_KST_BAD_MAGIC;
	if (d->op != LF_KOP_MATMUL ||
	    (d->flags & ~(LF_DF_BIAS | LF_DF_W_PER_CH | LF_DF_B_ACT)) != 0 ||
	    lfk_part_refused(d, 0))
		return LF_KST_BAD_OP;
	if (!lfk_is_8bit(d->x_type) || !lfk_is_8bit(d->w_type) ||
	    (!lfk_is_8bit(d->y_type) && d->y_type != LF_KDT_I32))
		return LF_KST_BAD_TYPE;
	if (d->mm_batch == 0 || d->mm_m == 0 || d->mm_k == 0 || d->mm_n == 0 ||
	    (d->mm_w_batch != 1 && d->mm_w_batch != d->mm_batch))
		return LF_KST_BAD_SHAPE;

	lf_u32 y8 = lfk_is_8bit(d->y_type);
	g->b_act = (d->flags & LF_DF_B_ACT) != 0;
	if (!lfk_in_type(d->x_type, d->x_zp) ||
	    (g->b_act && !lfk_in_type(d->w_type, d->x2_zp)))
		return LF_KST_BAD_QUANT;
	if (y8 &&
	    (!lfk_in_type(d->y_type, d->y_zp) ||
	     !lfk_in_type(d->y_type, d->act_min) ||
	     !lfk_in_type(d->y_type, d->act_max) || d->act_min > d->act_max))
		return LF_KST_BAD_QUANT;

	if (d->mm_k > LF_MM_KMAX || d->mm_batch > LF_MM_DIM_MAX ||
	    d->mm_m > LF_MM_DIM_MAX || d->mm_n > LF_MM_DIM_MAX)
		return LF_KST_LIMIT;
	g->kvec = (d->mm_k + LF_MM_PE_K - 1) / LF_MM_PE_K;
	g->ysz = y8 ? 1 : 4;
	g->nq = (d->flags & LF_DF_W_PER_CH) ? d->mm_n : 1;
	g->b_off = g->b_act ? d->x2_off : d->w_off;

	lf_u64 a_sz = lfk_mul_sat(lfk_mul_sat(d->mm_batch, d->mm_m), d->mm_k);
	lf_u64 b_sz = lfk_mul_sat(lfk_mul_sat(d->mm_w_batch, d->mm_k), d->mm_n);
	lf_u64 y_sz = lfk_mul_sat(
	    lfk_mul_sat(lfk_mul_sat(d->mm_batch, d->mm_m), d->mm_n), g->ysz);
	if (!lfk_inside(d->x_off, a_sz, act_bytes) ||
	    !lfk_inside(d->y_off, y_sz, act_bytes) ||
	    !lfk_disjoint(d->x_off, a_sz, d->y_off, y_sz))
		return LF_KST_BOUNDS;
	if (g->b_act
		? !lfk_inside(d->x2_off, b_sz, act_bytes) ||
		      !lfk_disjoint(d->x2_off, b_sz, d->y_off, y_sz)
		: !lfk_inside(d->w_off, b_sz, params_bytes) ||
		      !lfk_inside(d->w_zp_off, (lf_u64)g->nq * 4, params_bytes))
		return LF_KST_BOUNDS;
	if ((d->flags & LF_DF_BIAS) &&
	    !lfk_inside(d->bias_off, (lf_u64)d->mm_n * 4, params_bytes))
		return LF_KST_BOUNDS;
	if (y8 && !lfk_inside(d->mult_off, (lf_u64)g->nq * 4, params_bytes))
		return LF_KST_BOUNDS;
	return LF_KST_OK;
}

/* The weight zero points (B in params only), now known to be in bounds. */
static lf_i32 mm_check_wzp(LF_GLOBAL const lf_beat *params, const lf_desc *d,
			   const struct mm_geo *g)
{
	lf_i32 st = LF_KST_OK;
	if (g->b_act)
		return st;
	LF_PIPE_BEGIN(mm_wzp_chk);
mm_wzp_chk:
	for (lf_u32 c = 0; c < g->nq; c++) {
#pragma HLS PIPELINE II=4
#pragma HLS LOOP_TRIPCOUNT min=1 max=65535 avg=256
		LF_PIPE(mm_wzp_chk);
		if (!lfk_in_type(d->w_type,
				 lf_ld_i32(params, d->w_zp_off + 4 * c)))
			st = LF_KST_BAD_QUANT;
	}
	LF_PIPE_END(mm_wzp_chk);
	return st;
}

/*
 * Columns n0 .. n0 + nv - 1 of one B matrix (at byte `off` of src) into
 * bbuf[j] as [k / PE_K][k % PE_K]: PE_N strided byte reads per row of B.
 * Lanes past k hold the column's zero-point byte, so they add nothing.
 * src is params or act: the cycle model charges the read to that port.
 */
static void mm_load_b(LF_GLOBAL const lf_beat *src, lf_u32 off, const lf_desc *d,
		      const struct mm_geo *g, lf_u32 n0, lf_u32 nv,
		      const lf_u8 wzb[LF_MM_PE_N],
		      LF_LOCAL lf_u8 bbuf[LF_MM_PE_N][LF_MM_KVEC][LF_MM_PE_K])
{
	lf_u32 v = 0, l = 0;
	lf_u32 rows = g->kvec * LF_MM_PE_K;
	LF_PIPE_BEGIN(mm_load_b);
mm_load_b:
	for (lf_u32 k = 0; k < rows; k++) {
#pragma HLS PIPELINE II=LF_MM_PE_N
#pragma HLS LOOP_TRIPCOUNT min=16 max=LF_MM_KMAX avg=768
		LF_PIPE(mm_load_b);
		lf_u32 rb = off + k * d->mm_n + n0;
		for (lf_u32 j = 0; j < LF_MM_PE_N; j++) {
#pragma HLS UNROLL
			lf_u8 b = wzb[j];
			if (k < d->mm_k && j < nv)
				b = lf_ld_u8(src, rb + j);
			bbuf[j][v][l] = b;
		}
		if (++l == LF_MM_PE_K) {
			l = 0;
			v++;
		}
	}
	LF_PIPE_END_PORT(mm_load_b, g->b_act ? LFP_ACT_RD : LFP_PARAMS_RD);
}

/* One row of A (k bytes at byte `off` of act) into abuf, PE_K per cycle. */
static void mm_load_a(LF_GLOBAL const lf_beat *act, lf_u32 off, const lf_desc *d,
		      const struct mm_geo *g, lf_u8 xzb,
		      LF_LOCAL lf_u8 abuf[LF_MM_KVEC][LF_MM_PE_K])
{
	LF_PIPE_BEGIN(mm_load_a);
mm_load_a:
	for (lf_u32 v = 0; v < g->kvec; v++) {
#pragma HLS PIPELINE II=LF_MM_PE_K
#pragma HLS LOOP_TRIPCOUNT min=1 max=LF_MM_KVEC avg=48
		LF_PIPE(mm_load_a);
		for (lf_u32 l = 0; l < LF_MM_PE_K; l++) {
#pragma HLS UNROLL
			lf_u32 k = v * LF_MM_PE_K + l;
			abuf[v][l] = k < d->mm_k ? lf_ld_u8(act, off + k) : xzb;
		}
	}
	LF_PIPE_END(mm_load_a);
}

/* The PE array over one row of A and PE_N columns of B. */
static void mm_mac(const lf_desc *d, const struct mm_geo *g,
		   const lf_u32 bias[LF_MM_PE_N], const lf_i32 woff[LF_MM_PE_N],
		   LF_LOCAL lf_u8 abuf[LF_MM_KVEC][LF_MM_PE_K],
		   LF_LOCAL lf_u8 bbuf[LF_MM_PE_N][LF_MM_KVEC][LF_MM_PE_K],
		   lf_u32 acc[LF_MM_PE_N])
{
	lf_i32 xs = lfk_flip(d->x_type);
	lf_i32 xoff = xs + d->x_zp;
	lf_i32 ws = lfk_flip(d->w_type);
	LF_PIPE_BEGIN(mm_mac);
mm_mac:
	for (lf_u32 v = 0; v < g->kvec; v++) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=1 max=LF_MM_KVEC avg=48
		LF_PIPE(mm_mac);
		lf_i32 xv[LF_MM_PE_K];
#pragma HLS ARRAY_PARTITION variable=xv type=complete
		for (lf_u32 l = 0; l < LF_MM_PE_K; l++) {
#pragma HLS UNROLL
			xv[l] = (lf_i32)(abuf[v][l] ^ (lf_u32)xs) - xoff;
		}
		for (lf_u32 j = 0; j < LF_MM_PE_N; j++) {
#pragma HLS UNROLL
			/* |product| <= 255 * 255: PE_K of them fit in int32. */
			lf_i32 s = 0;
			for (lf_u32 l = 0; l < LF_MM_PE_K; l++) {
#pragma HLS UNROLL
				lf_i32 wv =
				    (lf_i32)(bbuf[j][v][l] ^ (lf_u32)ws) -
				    woff[j];
				s += xv[l] * wv;
			}
			/* int32 accumulation wraps, as ORT's does. */
			acc[j] = (v == 0 ? bias[j] : acc[j]) + (lf_u32)s;
		}
	}
	LF_PIPE_END(mm_mac);
}

/*
 * Requantizes the nv outputs of one row and writes them (a burst). int32
 * outputs have a loop of their own: their 4 byte writes per element would
 * set the II of the 8-bit loop too if they shared one.
 */
static void mm_store(LF_GLOBAL lf_beat *act, const lf_desc *d,
		     const struct mm_geo *g, lf_u32 e0, lf_u32 nv,
		     const lf_u32 acc[LF_MM_PE_N], const float mult[LF_MM_PE_N])
{
	if (g->ysz == 4) {
		LF_PIPE_BEGIN(mm_store32);
	mm_store32:
		for (lf_u32 j = 0; j < nv; j++) {
#pragma HLS PIPELINE II=4
#pragma HLS LOOP_TRIPCOUNT min=1 max=LF_MM_PE_N
			LF_PIPE(mm_store32);
			lf_st_i32(act, d->y_off + (e0 + j) * 4, (lf_i32)acc[j]);
		}
		LF_PIPE_END(mm_store32);
	} else {
		LF_PIPE_BEGIN(mm_store8);
	mm_store8:
		for (lf_u32 j = 0; j < nv; j++) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=1 max=LF_MM_PE_N
			LF_PIPE(mm_store8);
			lf_st_u8(act, d->y_off + e0 + j, lfk_byte(lfk_requant(acc[j], mult[j], d->y_zp,
						 d->act_min, d->act_max)));
		}
		LF_PIPE_END(mm_store8);
	}
}

/* Runs one checked descriptor. */
static void mm_run(LF_GLOBAL const lf_beat *params, LF_GLOBAL lf_beat *act,
		   const lf_desc *d, const struct mm_geo *g,
		   LF_LOCAL lf_u8 abuf[LF_MM_KVEC][LF_MM_PE_K],
		   LF_LOCAL lf_u8 bbuf[LF_MM_PE_N][LF_MM_KVEC][LF_MM_PE_K])
{
	lf_u32 y8 = d->y_type != LF_KDT_I32;
	lf_u8 xzb = lfk_byte(d->x_zp);
	lf_i32 ws = lfk_flip(d->w_type);
	/* Per-column quantization of the current tile, in registers. */
	lf_u8 wzb[LF_MM_PE_N];
	lf_i32 woff[LF_MM_PE_N];
	lf_u32 bias[LF_MM_PE_N];
	float mult[LF_MM_PE_N];
	lf_u32 acc[LF_MM_PE_N];
#pragma HLS ARRAY_PARTITION variable=wzb type=complete
#pragma HLS ARRAY_PARTITION variable=woff type=complete
#pragma HLS ARRAY_PARTITION variable=bias type=complete
#pragma HLS ARRAY_PARTITION variable=mult type=complete
#pragma HLS ARRAY_PARTITION variable=acc type=complete

	for (lf_u32 n0 = 0; n0 < d->mm_n; n0 += LF_MM_PE_N) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=4096 avg=48
		lf_u32 nv = d->mm_n - n0;
		if (nv > LF_MM_PE_N)
			nv = LF_MM_PE_N;
		LF_PIPE_BEGIN(mm_qparams);
	mm_qparams:
		for (lf_u32 j = 0; j < LF_MM_PE_N; j++) {
#pragma HLS PIPELINE II=12
			LF_PIPE(mm_qparams);
			lf_u32 c = n0 + (j < nv ? j : 0);
			lf_u32 q = g->nq == 1 ? 0 : c;
			lf_i32 wzp =
			    g->b_act ? d->x2_zp
				     : lf_ld_i32(params, d->w_zp_off + 4 * q);
			wzb[j] = lfk_byte(wzp);
			woff[j] = ws + wzp;
			bias[j] =
			    (d->flags & LF_DF_BIAS)
				? (lf_u32)lf_ld_i32(params, d->bias_off + 4 * c)
				: 0;
			mult[j] =
			    y8 ? lf_ld_f32(params, d->mult_off + 4 * q) : 0.0f;
		}
		LF_PIPE_END(mm_qparams);

		for (lf_u32 bt = 0; bt < d->mm_batch; bt++) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=64 avg=1
			if (bt == 0 || d->mm_w_batch != 1) {
				lf_u32 off =
				    g->b_off + (d->mm_w_batch == 1
						    ? 0
						    : bt * d->mm_k * d->mm_n);
				/* Two calls, so each reads through one port. */
				if (g->b_act)
					mm_load_b(act, off, d, g, n0, nv, wzb,
						  bbuf);
				else
					mm_load_b(params, off, d, g, n0, nv,
						  wzb, bbuf);
			}
			for (lf_u32 i = 0; i < d->mm_m; i++) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=65535 avg=128
				lf_u32 row = bt * d->mm_m + i;
				mm_load_a(act, d->x_off + row * d->mm_k, d, g,
					  xzb, abuf);
				mm_mac(d, g, bias, woff, abuf, bbuf, acc);
				mm_store(act, d, g, row * d->mm_n + n0, nv,
					 acc, mult);
			}
		}
	}
}

/*
 * Checks and runs one descriptor; returns its status. The body of
 * lfk_matmul's loop, and what lfk_engine (engine.c) calls for a matmul.
 */
static lf_i32 mm_layer(LF_GLOBAL const lf_beat *params, lf_u32 params_bytes,
		       LF_GLOBAL lf_beat *act, lf_u32 act_bytes, const lf_desc *d,
		       LF_LOCAL lf_u8 abuf[LF_MM_KVEC][LF_MM_PE_K],
		       LF_LOCAL lf_u8 bbuf[LF_MM_PE_N][LF_MM_KVEC][LF_MM_PE_K])
{
	struct mm_geo g;
	lf_i32 st = mm_check(d, params_bytes, act_bytes, &g);
	if (st == LF_KST_OK)
		st = mm_check_wzp(params, d, &g);
	LF_DESC_DONE();
	if (st == LF_KST_OK)
		mm_run(params, act, d, &g, abuf, bbuf);
	return st;
}

/* engine.c includes this file for mm_layer() and defines its own top. */
#if !defined(LF_ENGINE_BUILD)
LF_EXPORT LF_KERNEL void lfk_matmul(LF_GLOBAL lf_u32 *desc, lf_u32 ndesc,
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

	/* On-chip buffers (UG1399 "pragma HLS array_partition"). */
	LF_ONCHIP lf_u8 abuf[LF_MM_KVEC][LF_MM_PE_K];
#pragma HLS ARRAY_PARTITION variable=abuf type=complete dim=2
	LF_ONCHIP lf_u8 bbuf[LF_MM_PE_N][LF_MM_KVEC][LF_MM_PE_K];
#pragma HLS ARRAY_PARTITION variable=bbuf type=complete dim=1
#pragma HLS ARRAY_PARTITION variable=bbuf type=complete dim=3

	for (lf_u32 i = 0; i < ndesc; i++) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=256 avg=4
		lf_desc d;
		lfk_desc_fetch(desc, i, &d);
		lf_i32 st = mm_layer(params, params_bytes, act, act_bytes, &d,
				     abuf, bbuf);
		lfk_desc_status(desc, i, st, d.nonce);
		LF_DESC_END();
		if (st != LF_KST_OK)
			break;
	}
}
#endif
