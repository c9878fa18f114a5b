// lf_pcis_status.sv - the CL's status page on PCIS (AXI4 slave, 512-bit,
// 4 KiB at 0x1F_FFFF_F000). UNVERIFIED (never simulated).
// Every read beat returns MAGIC in bits 31:0 and zeros above, so the host
// tells a completed BAR4 transfer from one the shell timed out (which
// reads all-ones); writes are accepted and dropped. Bursts are answered
// beat by beat (arlen + 1 beats), one burst at a time.
module lf_pcis_status #(
    parameter logic [31:0] MAGIC = 32'h4C46_4331,
    parameter int unsigned IDW = 16,
    parameter int unsigned DW = 512
) (
    input  logic           clk,
    input  logic           rst_n,
    input  logic [IDW-1:0] awid,
    input  logic           awvalid,
    output logic           awready,
    input  logic           wlast,
    input  logic           wvalid,
    output logic           wready,
    output logic [IDW-1:0] bid,
    output logic [1:0]     bresp,
    output logic           bvalid,
    input  logic           bready,
    input  logic [IDW-1:0] arid,
    input  logic [7:0]     arlen,
    input  logic           arvalid,
    output logic           arready,
    output logic [IDW-1:0] rid,
    output logic [DW-1:0]  rdata,
    output logic [1:0]     rresp,
    output logic           rlast,
    output logic           rvalid,
    input  logic           rready
);
  // Writes: address, then data beats until wlast, then the response.
  logic in_w;
  assign awready = !in_w && !bvalid;
  assign wready  = in_w;
  assign bresp   = 2'b00;
  always_ff @(posedge clk) begin
    if (!rst_n) begin
      in_w   <= 1'b0;
      bvalid <= 1'b0;
      bid    <= '0;
    end else begin
      if (awvalid && awready) begin
        in_w <= 1'b1;
        bid  <= awid;
      end
      if (wvalid && wready && wlast) begin
        in_w   <= 1'b0;
        bvalid <= 1'b1;
      end else if (bvalid && bready) begin
        bvalid <= 1'b0;
      end
    end
  end

  // Reads: arlen + 1 beats of the magic.
  logic [7:0] left;
  assign arready = !rvalid;
  assign rresp   = 2'b00;
  assign rdata   = {{(DW-32){1'b0}}, MAGIC};
  assign rlast   = rvalid && left == 8'd0;
  always_ff @(posedge clk) begin
    if (!rst_n) begin
      rvalid <= 1'b0;
      left   <= 8'd0;
      rid    <= '0;
    end else if (arvalid && arready) begin
      rvalid <= 1'b1;
      left   <= arlen;
      rid    <= arid;
    end else if (rvalid && rready) begin
      if (left == 8'd0) rvalid <= 1'b0;
      else left <= left - 8'd1;
    end
  end
endmodule
