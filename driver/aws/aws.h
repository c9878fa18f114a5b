/*
 * aws.h - the AWS F2 register-level backend ("aws"), for driver/core.
 *
 * Device strings: "aws" or "aws:<N>" (the N-th F2 application PF in bus
 * order), "aws:<domain:bus:dev.fn>", and "aws:sim" (the same backend
 * against an emulated Custom Logic in this process; only by that name).
 * See driver/aws/README.md.
 */
#ifndef LF_DRIVER_AWS_AWS_H
#define LF_DRIVER_AWS_AWS_H

#include "driver/driver.h"

extern const struct lf_backend_ops lf__aws_backend;

#endif /* LF_DRIVER_AWS_AWS_H */
