/*
 * lf_kdesc.h - how every kernel top reads a descriptor and writes its
 * status back: the descriptor list is a port of 32-bit words (gmem0), one
 * descriptor is LF_DESC_WORDS consecutive words, fetched in a pipelined
 * loop (one word a cycle, one burst) into an lf_desc held on chip, and the
 * status goes back as the one word LF_DESC_STATUS_WORD.
 *
 * Why not `lf_desc d = desc[i]` and `desc[i].status = st`: a struct on an
 * m_axi interface is aggregated into one vector as wide as the struct
 * (2048 bits here), wider than an AXI data bus (1024 bits at most), and
 * the field store becomes a read-modify-write of the whole thing (UG1399
 * "Structs on the Interface"; kernel review, issue 12, section 3). Words
 * keep the port narrow, the read a plain burst and the write one strobe.
 * The bytes in device memory are unchanged (lf_desc.h's layout).
 */
#ifndef LF_KDESC_H
#define LF_KDESC_H

#include "lf_desc.h"
#include "lf_pipes.h"

/* The word of lf_desc that holds status (lf_desc.h: word 3). */
#define LF_DESC_STATUS_WORD 3
/* The word of lf_desc that holds the nonce (word 49). */
#define LF_DESC_NONCE_WORD 49

/* lf_bits_f32() (lf_kernel.h) turns the scale words into floats. */
/*
 * The fields of one descriptor from its words, in lf_desc.h's order
 * (wires in HLS: w is a register array). Every field an op reads is
 * exercised by the kernel suites, which build the list as structs.
 */
LF_INLINE void lfk_desc_unpack(const lf_u32 w[LF_DESC_WORDS], lf_desc *d)
{
	d->magic = w[0];
	d->op = w[1];
	d->flags = w[2];
	d->status = (lf_i32)w[3];
	d->x_type = w[4];
	d->w_type = w[5];
	d->y_type = w[6];
	d->reserved0 = w[7];
	d->n = w[8];
	d->ic = w[9];
	d->ih = w[10];
	d->iw = w[11];
	d->oc = w[12];
	d->oh = w[13];
	d->ow = w[14];
	d->groups = w[15];
	d->kh = w[16];
	d->kw = w[17];
	d->stride_h = w[18];
	d->stride_w = w[19];
	d->pad_t = w[20];
	d->pad_l = w[21];
	d->pad_b = w[22];
	d->pad_r = w[23];
	d->dil_h = w[24];
	d->dil_w = w[25];
	d->y_cb = w[26];
	d->sync_off = w[27];
	d->mm_batch = w[28];
	d->mm_m = w[29];
	d->mm_k = w[30];
	d->mm_n = w[31];
	d->mm_w_batch = w[32];
	d->y_rows = w[33];
	d->y_blks = w[34];
	d->sync = w[35];
	d->x_off = w[36];
	d->x2_off = w[37];
	d->y_off = w[38];
	d->w_off = w[39];
	d->bias_off = w[40];
	d->w_zp_off = w[41];
	d->mult_off = w[42];
	d->lut_off = w[43];
	d->x_zp = (lf_i32)w[44];
	d->x2_zp = (lf_i32)w[45];
	d->y_zp = (lf_i32)w[46];
	d->act_min = (lf_i32)w[47];
	d->act_max = (lf_i32)w[48];
	d->nonce = w[49];
	d->x_scale = lf_bits_f32(w[50]);
	d->x2_scale = lf_bits_f32(w[51]);
	d->y_scale = lf_bits_f32(w[52]);
	for (lf_u32 k = 53; k < 57; k++) {
#pragma HLS UNROLL
		d->reserved8[k - 53] = w[k];
	}
	d->pool_k = w[57];
	d->pool_clamp = w[58];
	d->csum_len = w[59];
	d->add_x_zp = (lf_i32)w[60];
	d->add_y_zp = (lf_i32)w[61];
	d->add_min = (lf_i32)w[62];
	d->add_max = (lf_i32)w[63];
}

/*
 * Descriptor i of the list into *d: LF_DESC_WORDS word reads at
 * consecutive addresses, one per cycle (one burst; the cycle model's
 * desc_fetch entry).
 */
LF_INLINE void lfk_desc_fetch(LF_GLOBAL const lf_u32 *desc, lf_u32 i,
			      lf_desc *d)
{
	lf_u32 w[LF_DESC_WORDS];
#pragma HLS ARRAY_PARTITION variable=w type=complete
	lf_u32 base = i * LF_DESC_WORDS;
	LF_PIPE_BEGIN(desc_fetch);
desc_fetch:
	for (lf_u32 k = 0; k < LF_DESC_WORDS; k++) {
#pragma HLS PIPELINE II=1
		LF_PIPE(desc_fetch);
		w[k] = desc[base + k];
	}
	LF_PIPE_END(desc_fetch);
	lfk_desc_unpack(w, d);
}

/* Descriptor i's status, echoing its @nonce (lf_desc.h, lf_kst_word): one
 * word write (its cost is in LF_DESC_CYCLES). */
LF_INLINE void lfk_desc_status(LF_GLOBAL lf_u32 *desc, lf_u32 i, lf_i32 st,
			       lf_u32 nonce)
{
	desc[i * LF_DESC_WORDS + LF_DESC_STATUS_WORD] = lf_kst_word(st, nonce);
}

#endif /* LF_KDESC_H */
