let s = b"never closed
