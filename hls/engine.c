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

#include "lf_kdesc.h"

#include "conv2d.c"
#include "matmul.c"
#include "pool.c"
#include "add.c"

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
	 * time). */
	LF_ONCHIP lf_u8 x2ab[LF_POOL_BLK_ROW][LF_BLK_LANES];
#pragma HLS ARRAY_PARTITION variable=x2ab type=complete dim=2

	for (lf_u32 i = 0; i < ndesc; i++) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=256 avg=8
		lf_desc d;
		lfk_desc_fetch(desc, i, &d);
		lf_i32 st;
		/* Each layer function checks the magic first, as lf_desc.h
		 * orders the checks; an op no datapath runs is checked here. */
		if (d.op == LF_KOP_CONV2D) {
			st = conv_layer(params, params_bytes, act, act_bytes,
					&d, wbuf, xbuf, ct, accbuf, bwbuf,
					blbuf, baccrow);
		} else if (d.op == LF_KOP_MATMUL) {
			st = mm_layer(params, params_bytes, act, act_bytes, &d,
				      abuf, bbuf);
		} else if (d.op == LF_KOP_MAXPOOL || d.op == LF_KOP_AVGPOOL) {
			st = pool_layer(act, act_bytes, &d, rbuf, rbb, mxb,
					sumb);
		} else if (d.op == LF_KOP_ADD || d.op == LF_KOP_MUL) {
			st = add_layer(act, act_bytes, &d, rbb, x2ab);
		} else {
			st = d.magic != LF_DESC_MAGIC ? LF_KST_BAD_MAGIC
						      : LF_KST_BAD_OP;
			LF_DESC_DONE();
		}
		lfk_desc_status(desc, i, st, d.nonce);
		LF_DESC_END();
		if (st != LF_KST_OK)
			break;
	}
}
