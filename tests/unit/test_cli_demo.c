/*
 * test_cli_demo.c - the demo's parts that do not need the model runner
 * (hostlib/demo): the IDX reader on good, truncated and corrupt files,
 * plain and gzipped; the Fashion-MNIST set checks; batches as the model's
 * input, byte for byte what ONNX Runtime was fed (its test vectors); the
 * scoring and the report.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "hostlib/demo/demo.h"
#include "hostlib/onnx/onnx.h"
#include "lf_test.h"

#define FMNIST_DIR "/usr/share/datasets/fashion-mnist/"
#define ORT_VEC	   "tests/data/ort/fmnist_qop/"

/* An IDX file of unsigned bytes, rank @rank, extents @dims, data 0,1,2.. */
static size_t make_idx(uint8_t *buf, int rank, const uint32_t *dims)
{
	size_t n = 4, count = 1;
	buf[0] = buf[1] = 0;
	buf[2] = 0x08;
	buf[3] = (uint8_t)rank;
	for (int i = 0; i < rank; i++) {
		buf[n++] = (uint8_t)(dims[i] >> 24);
		buf[n++] = (uint8_t)(dims[i] >> 16);
		buf[n++] = (uint8_t)(dims[i] >> 8);
		buf[n++] = (uint8_t)dims[i];
		count *= dims[i];
	}
	for (size_t i = 0; i < count; i++)
		buf[n++] = (uint8_t)i;
	return n;
}

static void test_idx_parse(void)
{
	static uint8_t buf[256];
	uint32_t dims[3] = {2, 3, 4};
	struct lf__idx x;
	char err[256];
	size_t n = make_idx(buf, 3, dims);
	CU_ASSERT_EQUAL(n, 16 + 24);
	CU_ASSERT_EQUAL_FATAL(lf__idx_parse(buf, n, "t", &x, err, sizeof(err)),
			      LF_OK);
	CU_ASSERT_EQUAL(x.rank, 3);
	CU_ASSERT_EQUAL(x.dims[0], 2);
	CU_ASSERT_EQUAL(x.dims[1], 3);
	CU_ASSERT_EQUAL(x.dims[2], 4);
	CU_ASSERT_EQUAL(x.count, 24);
	CU_ASSERT_EQUAL(x.data[0], 0);
	CU_ASSERT_EQUAL(x.data[23], 23);
	lf__idx_free(&x);
	CU_ASSERT_PTR_NULL(x.data);
	lf__idx_free(&x); /* a zeroed one may be freed again */
	lf__idx_free(NULL);
}

/* @buf[@n] must fail with @st and a message containing @msg. */
static void bad(const uint8_t *buf, size_t n, lf_status st, const char *msg)
{
	struct lf__idx x;
	char err[256];
	memset(&x, 0xa5, sizeof(x));
	CU_ASSERT_EQUAL(lf__idx_parse(buf, n, "f.idx", &x, err, sizeof(err)),
			st);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, msg));
	if (!strstr(err, msg))
		fprintf(stderr, "\nmessage: %s (want '%s')\n", err, msg);
	CU_ASSERT_EQUAL(x.rank, (int)0xa5a5a5a5); /* untouched */
}

static void test_idx_bad(void)
{
	static uint8_t buf[256];
	uint32_t dims[3] = {2, 3, 4};
	size_t n = make_idx(buf, 3, dims);

	bad(buf, 3, LF_ERR_BAD_FILE, "not an IDX file");
	buf[1] = 1;
	bad(buf, n, LF_ERR_BAD_FILE, "not an IDX file");
	buf[1] = 0;
	buf[2] = 0x0d; /* float */
	bad(buf, n, LF_ERR_UNSUPPORTED, "element type 0x0d");
	buf[2] = 0x08;
	buf[3] = 0;
	bad(buf, n, LF_ERR_BAD_FILE, "rank 0");
	buf[3] = 5;
	bad(buf, n, LF_ERR_BAD_FILE, "rank 5");
	buf[3] = 3;
	bad(buf, 10, LF_ERR_BAD_FILE, "truncated header");
	bad(buf, n - 1, LF_ERR_BAD_FILE,
	    "truncated: 23 data bytes, the "
	    "header says 24");
	bad(buf, n + 1, LF_ERR_BAD_FILE, "trailing data: 25 data bytes");
	bad(buf, 16, LF_ERR_BAD_FILE, "truncated: 0 data bytes");
	buf[4 + 3] = 0; /* first extent 0 */
	bad(buf, n, LF_ERR_BAD_FILE, "dimension 0 is 0");
	/* Four extents of 2^32-1: the count cannot be represented. */
	uint8_t head[20];
	head[0] = head[1] = 0;
	head[2] = 0x08;
	head[3] = 4;
	for (int i = 0; i < 4; i++)
		memset(head + 4 + 4 * i, 0xff, 4);
	bad(head, sizeof(head), LF_ERR_OVERFLOW, "overflows");
	struct lf__idx x;
	CU_ASSERT_EQUAL(lf__idx_parse(NULL, 4, "f", &x, NULL, 0),
			LF_ERR_INVALID_ARG);
}

/* A temporary file path; the caller unlinks it. */
static void tmp_path(char *buf, size_t len)
{
	snprintf(buf, len, "/tmp/lf_idx_XXXXXX");
	int fd = mkstemp(buf);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
}

static void write_gz(const char *path, const uint8_t *d, size_t n)
{
	gzFile f = gzopen(path, "wb");
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(gzwrite(f, d, (unsigned)n), (int)n);
	CU_ASSERT_EQUAL(gzclose(f), Z_OK);
}

static void write_plain(const char *path, const uint8_t *d, size_t n)
{
	FILE *f = fopen(path, "wb");
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(fwrite(d, 1, n, f), n);
	fclose(f);
}

static size_t read_plain(const char *path, uint8_t *d, size_t cap)
{
	FILE *f = fopen(path, "rb");
	CU_ASSERT_FATAL(f != NULL);
	size_t n = fread(d, 1, cap, f);
	fclose(f);
	return n;
}

static void test_idx_load(void)
{
	/* Big enough that the gzip stream spans several deflate blocks. */
	static uint8_t buf[16 + 50 * 40 * 30], gz[sizeof(buf)];
	uint32_t dims[3] = {50, 40, 30};
	char path[64], err[512];
	struct lf__idx x;
	size_t n = make_idx(buf, 3, dims);
	tmp_path(path, sizeof(path));

	write_plain(path, buf, n);
	CU_ASSERT_EQUAL_FATAL(lf__idx_load(path, &x, err, sizeof(err)), LF_OK);
	CU_ASSERT_EQUAL(x.count, 60000);
	CU_ASSERT_EQUAL(memcmp(x.data, buf + 16, x.count), 0);
	lf__idx_free(&x);

	write_gz(path, buf, n);
	CU_ASSERT_EQUAL_FATAL(lf__idx_load(path, &x, err, sizeof(err)), LF_OK);
	CU_ASSERT_EQUAL(x.count, 60000);
	CU_ASSERT_EQUAL(memcmp(x.data, buf + 16, x.count), 0);
	lf__idx_free(&x);

	/* The gzip stream cut in half: zlib reports it, we refuse it. */
	size_t gn = read_plain(path, gz, sizeof(gz));
	CU_ASSERT_FATAL(gn > 100);
	write_plain(path, gz, gn / 2);
	memset(&x, 0, sizeof(x));
	CU_ASSERT_EQUAL(lf__idx_load(path, &x, err, sizeof(err)),
			LF_ERR_BAD_FILE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
	CU_ASSERT_PTR_NULL(x.data);

	/* Corrupt deflate data in the middle. */
	for (size_t i = gn / 3; i < gn / 3 + 16; i++)
		gz[i] ^= 0x5a;
	write_plain(path, gz, gn);
	CU_ASSERT_EQUAL(lf__idx_load(path, &x, err, sizeof(err)),
			LF_ERR_BAD_FILE);

	/* A complete gzip stream of a truncated IDX file. */
	write_gz(path, buf, n - 7);
	CU_ASSERT_EQUAL(lf__idx_load(path, &x, err, sizeof(err)),
			LF_ERR_BAD_FILE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "truncated"));
	unlink(path);

	CU_ASSERT_EQUAL(lf__idx_load("/nonexistent/t.gz", &x, err, sizeof(err)),
			LF_ERR_IO);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/t.gz"));
}

static void test_fmnist_mismatch(void)
{
	static uint8_t img[16 + 3 * 2 * 2], lab[8 + 3];
	uint32_t di[3] = {3, 2, 2}, dl[1] = {3};
	char pi[64], pl[64], err[512];
	struct lf__fmnist d;
	tmp_path(pi, sizeof(pi));
	tmp_path(pl, sizeof(pl));
	size_t ni = make_idx(img, 3, di), nl = make_idx(lab, 1, dl);
	write_gz(pi, img, ni);
	write_gz(pl, lab, nl);
	CU_ASSERT_EQUAL_FATAL(lf__fmnist_load(pi, pl, &d, err, sizeof(err)),
			      LF_OK);
	CU_ASSERT_EQUAL(d.n, 3);
	CU_ASSERT_EQUAL(d.rows, 2);
	CU_ASSERT_EQUAL(d.cols, 2);
	CU_ASSERT_EQUAL(d.labels[2], 2);
	lf__fmnist_free(&d);

	/* Labels and images swapped: wrong ranks. */
	CU_ASSERT_EQUAL(lf__fmnist_load(pl, pi, &d, err, sizeof(err)),
			LF_ERR_BAD_FILE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "rank 1, images have rank 3"));
	/* Two labels for three images. */
	dl[0] = 2;
	nl = make_idx(lab, 1, dl);
	write_gz(pl, lab, nl);
	CU_ASSERT_EQUAL(lf__fmnist_load(pi, pl, &d, err, sizeof(err)),
			LF_ERR_BAD_FILE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "has 3 images but"));
	/* A label out of range. */
	dl[0] = 3;
	nl = make_idx(lab, 1, dl);
	lab[8 + 1] = 10;
	write_gz(pl, lab, nl);
	CU_ASSERT_EQUAL(lf__fmnist_load(pi, pl, &d, err, sizeof(err)),
			LF_ERR_BAD_FILE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "label 1 is 10"));
	unlink(pi);
	unlink(pl);
}

/* Batches equal ORT's input vectors byte for byte (scripts/ort: set 0 is
 * image 0, set 1 images 1..8, set 2 image 9). */
static void test_fmnist_batches_are_orts(void)
{
	struct lf__fmnist d;
	char err[512];
	static const size_t first[3] = {0, 1, 9}, count[3] = {1, 8, 1};
	struct stat sb;
	if (stat(FMNIST_DIR "t10k-images-idx3-ubyte.gz", &sb) != 0) {
		fprintf(stderr, "\n  [dataset-fashion-mnist not installed] ");
		return;
	}
	CU_ASSERT_EQUAL_FATAL(
	    lf__fmnist_load(FMNIST_DIR "t10k-images-idx3-ubyte.gz",
			    FMNIST_DIR "t10k-labels-idx1-ubyte.gz", &d, err,
			    sizeof(err)),
	    LF_OK);
	CU_ASSERT_EQUAL(d.n, 10000);
	CU_ASSERT_EQUAL(d.rows, 28);
	CU_ASSERT_EQUAL(d.cols, 28);
	CU_ASSERT_EQUAL(d.labels[0], 9); /* ankle boot */
	for (int s = 0; s < 3; s++) {
		char path[128];
		struct lf__tensor t;
		memset(&t, 0, sizeof(t));
		snprintf(path, sizeof(path),
			 ORT_VEC "test_data_set_%d/input_0.pb", s);
		CU_ASSERT_EQUAL_FATAL(
		    lf__onnx_tensor_read(path, &t, err, sizeof(err)), LF_OK);
		CU_ASSERT_EQUAL(t.dims[0], (int64_t)count[s]);
		CU_ASSERT_EQUAL_FATAL(t.count, count[s] * 784);
		float *x = malloc(t.count * sizeof(float));
		CU_ASSERT_FATAL(x != NULL);
		CU_ASSERT_EQUAL(lf__fmnist_batch(&d, first[s], count[s], x),
				LF_OK);
		CU_ASSERT_EQUAL(memcmp(x, t.data, t.count * sizeof(float)), 0);
		free(x);
		lf__tensor_release(&t);
	}
	float one[784];
	CU_ASSERT_EQUAL(lf__fmnist_batch(&d, 9999, 1, one), LF_OK);
	CU_ASSERT_EQUAL(lf__fmnist_batch(&d, 9999, 2, one), LF_ERR_RANGE);
	CU_ASSERT_EQUAL(lf__fmnist_batch(&d, 10001, 0, one), LF_ERR_RANGE);
	lf__fmnist_free(&d);
}

static void test_score(void)
{
	uint8_t labels[3] = {2, 0, 1};
	struct lf__fmnist d;
	memset(&d, 0, sizeof(d));
	d.n = 3;
	d.labels = labels;
	float logits[3 * 3] = {0, 1, 5,	 /* 2: right */
			       3, 3, 1,	 /* tie 0/1: the first, 0: right */
			       1, 0, 2}; /* 2: wrong */
	CU_ASSERT_EQUAL(lf__argmax_f32(logits + 3, 3), 0);
	CU_ASSERT_EQUAL(lf__fmnist_score(&d, 0, 3, logits, 3), 2);
	CU_ASSERT_EQUAL(lf__fmnist_score(&d, 2, 1, logits + 6, 3), 0);
	CU_ASSERT_EQUAL(lf__fmnist_score(&d, 1, 1, logits + 3, 3), 1);
}

static char *report_text(const struct lf__demo_report *r, int *rc)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	CU_ASSERT_FATAL(f != NULL);
	*rc = lf__demo_report_print(f, r);
	fclose(f);
	return text;
}

static void test_report(void)
{
	struct lf__demo_report r;
	int rc;
	memset(&r, 0, sizeof(r));
	r.model = "models/fmnist_qop.onnx";
	r.device = "emu (aws-f1)";
	r.xclbin = "x.xclbin";
	r.images = 10000;
	r.correct = 9035;
	r.batches = 100;
	r.batch = 100;
	r.wall_ns = 2000000000ull;  /* 2 s: 5000 images/s */
	r.device_ns = 100000000ull; /* 0.1 s: 100000 images/s */
	r.cpu_ns = 100000000ull;
	r.ort_accuracy = 90.35;
	r.ort_images = 10000;
	char *t = report_text(&r, &rc);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "accuracy: 90.35% (9035 of 10000)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "identical"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "5000 images/s"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "100000 images/s  projected (timing "
					 "model, not measured on hardware)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "run in series: 50000 images/s"));
	free(t);

	r.correct = 9034;
	t = report_text(&r, &rc);
	CU_ASSERT_EQUAL(rc, -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "DIFFERENT"));
	free(t);

	/* A subset is not compared with the full set's accuracy. */
	r.images = 100;
	r.correct = 12;
	t = report_text(&r, &rc);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "not compared"));
	free(t);
}

void lf_test_suite_cli_demo(void)
{
	static const struct lf_test_case cases[] = {
	    {"idx_parse", test_idx_parse},
	    {"idx_bad", test_idx_bad},
	    {"idx_load_gz_truncated_corrupt", test_idx_load},
	    {"fmnist_mismatch", test_fmnist_mismatch},
	    {"fmnist_batches_are_orts", test_fmnist_batches_are_orts},
	    {"score", test_score},
	    {"report", test_report},
	    {NULL, NULL},
	};
	lf_test_add_suite("cli_demo", NULL, NULL, cases);
}
