# driver: PCIe discovery, xclbin reader/writer, backends.
