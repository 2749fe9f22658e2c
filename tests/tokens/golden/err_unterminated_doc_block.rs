a /** never closed
