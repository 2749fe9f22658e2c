//! The guest's memory allocator: power-of-two size classes, each with a free
//! list, carved from linear memory as it grows.
//!
//! A macro expansion allocates and frees a great many small objects (token
//! trees, identifiers, the vectors of streams), and Rust's default allocator
//! for wasm32, dlmalloc, spends about a third of an expansion's executed
//! instructions in `malloc` and `free`. Here an allocation is a free-list pop
//! or a pointer bump and a free is a push, a few instructions each. What it
//! gives up is memory: a block is rounded up to a power of two and keeps its
//! class for good. That suits a macro, whose heap stays small and is reused
//! by every expansion of the instance. Memory that cannot be had (the host's
//! page cap) is a null pointer, which Rust turns into an abort, a trap.
//!
//! The guest is single-threaded (wasm32-unknown-unknown has no threads), so
//! the state needs no lock.

use std::alloc::{GlobalAlloc, Layout};
use std::arch::wasm32;
use std::cell::UnsafeCell;
use std::ptr;

const PAGE: usize = 65536;

/// Blocks come in power-of-two sizes from 8 bytes up (room for the free
/// list's next pointer), each aligned to its size, or to a page beyond that.
/// A layout gets the smallest block that holds its size and its alignment.
/// Free lists are indexed by the number of leading zeros of the block's last
/// offset (a block of 2^k bytes is list 32 - k): the fewest wasm
/// instructions, and with a constant alignment of 8 or less just three.
fn list_of(layout: &Layout) -> usize {
    ((layout.size() - 1) | (layout.align() - 1) | 7).leading_zeros() as usize
}

/// Lists 0 to 32; list 0 (a 4 GiB block) stays empty, as no block that large
/// can exist.
const LISTS: usize = usize::BITS as usize + 1;

struct State {
    /// The first free block of each list; each free block starts with a
    /// pointer to the next.
    free: [*mut u8; LISTS],
    /// The unused part of the memory grown so far: [bump, end).
    bump: usize,
    end: usize,
}

pub struct SizeClasses(UnsafeCell<State>);

// SAFETY: the guest has one thread.
unsafe impl Sync for SizeClasses {}

impl SizeClasses {
    pub const fn new() -> SizeClasses {
        SizeClasses(UnsafeCell::new(State {
            free: [ptr::null_mut(); LISTS],
            bump: 0,
            end: 0,
        }))
    }
}

impl State {
    /// A block for `layout` when its list is empty.
    #[cold]
    #[inline(never)]
    unsafe fn alloc_new(&mut self, layout: Layout) -> *mut u8 {
        let list = list_of(&layout);
        if list == 0 || layout.align() > PAGE {
            return ptr::null_mut();
        }
        self.carve(usize::BITS - list as u32)
    }

    /// A new block of 2^log_size bytes from the end of the used memory.
    unsafe fn carve(&mut self, log_size: u32) -> *mut u8 {
        let size = 1usize << log_size;
        let align = size.min(PAGE);
        let fits = |bump: usize, end: usize| {
            let start = bump.checked_add(align - 1)? & !(align - 1);
            (start.checked_add(size)? <= end).then(|| start)
        };
        let start = match fits(self.bump, self.end) {
            Some(start) => start,
            None => {
                let pages = (size + PAGE - 1) / PAGE;
                let old_pages = wasm32::memory_grow::<0>(pages);
                if old_pages == usize::MAX {
                    return ptr::null_mut();
                }
                let grown = old_pages * PAGE;
                if grown != self.end {
                    // The first block, or the memory grew by other means:
                    // carve from the new pages only.
                    self.bump = grown;
                }
                self.end = grown + pages * PAGE;
                // The end was a page boundary, so the new pages make room.
                match fits(self.bump, self.end) {
                    Some(start) => start,
                    None => return ptr::null_mut(),
                }
            }
        };
        self.bump = start + size;
        start as *mut u8
    }
}

// The common paths (a free-list pop, a push) are inlined into the
// allocation sites, which saves a call each (calls are among the dearest
// instructions of an interpreter); carving new blocks and moving ones that
// grow stay out of line.
unsafe impl GlobalAlloc for SizeClasses {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let state = &mut *self.0.get();
        let list = list_of(&layout);
        let head = state.free[list];
        if !head.is_null() && layout.align() <= PAGE {
            state.free[list] = *(head as *mut *mut u8);
            return head;
        }
        state.alloc_new(layout)
    }

    #[inline]
    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        let state = &mut *self.0.get();
        let list = list_of(&layout);
        *(block as *mut *mut u8) = state.free[list];
        state.free[list] = block;
    }

    #[inline(never)]
    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
        if list_of(&new_layout) == list_of(&layout) {
            return block;
        }
        let moved = self.alloc(new_layout);
        if !moved.is_null() {
            ptr::copy_nonoverlapping(block, moved, layout.size().min(new_size));
            self.dealloc(block, layout);
        }
        moved
    }
}
