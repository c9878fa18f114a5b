// lf_cl_id.sv - the CL's identity block on OCL (AXI4-Lite slave, 4 KiB).
// UNVERIFIED (never simulated). driver/aws reads it before trusting a
// description (driver/aws/aws_impl.h, AWS_ID_*):
//   0x00 magic 0x4C464331 ("LFC1")   0x04 register-map version (1)
//   0x08 number of CUs               0x0C description id (first 4 bytes,
//                                         little-endian, of the description
//                                         xclbin's UUID, baked in at build)
// Other offsets read 0; writes are accepted and ignored.
module lf_cl_id #(
    parameter int unsigned NCUS = 1,
    parameter logic [31:0] DESC_ID = 32'h0
) (
    input  logic        clk,
    input  logic        rst_n,
    input  logic [31:0] awaddr,
    input  logic        awvalid,
    output logic        awready,
    input  logic        wvalid,
    output logic        wready,
    output logic [1:0]  bresp,
    output logic        bvalid,
    input  logic        bready,
    input  logic [31:0] araddr,
    input  logic        arvalid,
    output logic        arready,
    output logic [31:0] rdata,
    output logic [1:0]  rresp,
    output logic        rvalid,
    input  logic        rready
);
  logic aw_seen, w_seen;

  // Writes: take address and data (in any order), answer OKAY once both.
  assign awready = !aw_seen && !bvalid;
  assign wready  = !w_seen && !bvalid;
  assign bresp   = 2'b00;
  always_ff @(posedge clk) begin
    if (!rst_n) begin
      aw_seen <= 1'b0;
      w_seen  <= 1'b0;
      bvalid  <= 1'b0;
    end else begin
      if (awvalid && awready) aw_seen <= 1'b1;
      if (wvalid && wready)   w_seen  <= 1'b1;
      if ((aw_seen || (awvalid && awready)) && (w_seen || (wvalid && wready)) && !bvalid) begin
        bvalid  <= 1'b1;
        aw_seen <= 1'b0;
        w_seen  <= 1'b0;
      end else if (bvalid && bready) begin
        bvalid <= 1'b0;
      end
    end
  end

  // Reads: one at a time.
  assign arready = !rvalid;
  assign rresp   = 2'b00;
  always_ff @(posedge clk) begin
    if (!rst_n) begin
      rvalid <= 1'b0;
      rdata  <= 32'h0;
    end else if (arvalid && arready) begin
      rvalid <= 1'b1;
      case (araddr[11:2])
        10'h0:   rdata <= 32'h4C46_4331;
        10'h1:   rdata <= 32'd1;
        10'h2:   rdata <= NCUS;
        10'h3:   rdata <= DESC_ID;
        default: rdata <= 32'h0;
      endcase
    end else if (rvalid && rready) begin
      rvalid <= 1'b0;
    end
  end
endmodule
