let s = "never closed
