# bitstreams: emulation xclbins built here; v++ rules for real cards.
BITSTREAMS :=
