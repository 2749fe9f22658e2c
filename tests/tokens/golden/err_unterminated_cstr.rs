let s = c"never closed
