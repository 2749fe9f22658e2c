// The other ways a macro can fail: the memory cap, the call-depth cap and a
// broken ABI rule, each a compile error at its own call site.
use hostile::{bad_abi, unbounded_alloc, unbounded_recursion};

unbounded_alloc!();

unbounded_recursion!();

bad_abi!(stream_handle);

fn main() {}
