// cl_id_defines.vh - PCIe IDs of the layerfab CL (the HDK requires this
// file in every CL: its AFI manifest is generated from it; aws-fpga f2
// hdk/cl/examples/CL_TEMPLATE/README.md). UNVERIFIED.
`ifndef CL_ID_DEFINES
`define CL_ID_DEFINES
  // [31:16] device ID, [15:0] vendor ID: Amazon's vendor 0x1D0F, device
  // 0xF0F2 (ours; with that vendor the device ID must lie in
  // 0xF000-0xF0FF). driver/aws/aws_card.c finds the PF by it.
  `define CL_SH_ID0 32'hF0F2_1D0F
  // [31:16] subsystem ID, [15:0] subsystem vendor ID.
  `define CL_SH_ID1 32'h0001_1D0F
`endif
