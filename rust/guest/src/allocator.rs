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
/// The smallest block holds the free list's next pointer.
const MIN_CLASS: u32 = 3;
/// Classes up to 2^31 bytes cover all of a 32-bit memory.
const CLASSES: usize = 32;

struct State {
    /// The first free block of each class; each free block starts with a
    /// pointer to the next.
    free: [*mut u8; CLASSES],
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
            free: [ptr::null_mut(); CLASSES],
            bump: 0,
            end: 0,
        }))
    }
}

/// The class of blocks that can hold `layout`: its size and its alignment
/// both fit, as blocks are aligned to their size (or to a page, beyond).
fn class_of(layout: &Layout) -> u32 {
    let size = layout.size().max(layout.align()).max(1 << MIN_CLASS);
    usize::BITS - (size - 1).leading_zeros()
}

impl State {
    /// A block for `layout` when its class has no free one.
    #[cold]
    #[inline(never)]
    unsafe fn alloc_new(&mut self, layout: Layout) -> *mut u8 {
        let class = class_of(&layout);
        if class as usize >= CLASSES || layout.align() > PAGE {
            return ptr::null_mut();
        }
        self.carve(class)
    }

    /// A new block of 2^class bytes from the end of the used memory.
    unsafe fn carve(&mut self, class: u32) -> *mut u8 {
        let size = 1usize << class;
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
        let class = class_of(&layout) as usize;
        if class < CLASSES && layout.align() <= PAGE {
            let head = state.free[class];
            if !head.is_null() {
                state.free[class] = *(head as *mut *mut u8);
                return head;
            }
        }
        state.alloc_new(layout)
    }

    #[inline]
    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        let state = &mut *self.0.get();
        let class = class_of(&layout) as usize;
        *(block as *mut *mut u8) = state.free[class];
        state.free[class] = block;
    }

    #[inline(never)]
    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
        if class_of(&new_layout) == class_of(&layout) {
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
