// The C++ exception runtime of wasmacro built for wasm32-wasip1 with
// -fwasm-exceptions (the legacy exception-handling proposal: try, catch,
// catch_all, rethrow, delegate and throw, which clang 19 emits and node 20's
// V8 runs).
//
// Debian's wasm32 libc++abi is built without exceptions: it has no
// __cxa_throw, no personality routine and no libunwind, only the stubs of
// cxa_noexception.cpp. This file stands in for all three. Every function that
// stub object defines is defined here too, so the linker never takes it; so
// are the three of cxa_aux_runtime.cpp, which terminate instead of throwing.
//
// The engine running the module does the unwinding: a throw instruction
// carries the exception to the innermost enclosing catch, whatever the
// frames between. What is left for the runtime is the lifetime of the
// exception objects, and saying which clause of a catch takes an exception.
// What clang 19 emits for that (seen in `clang++-19 --target=wasm32-wasi
// -fwasm-exceptions -S` at -O0 and -O2), which the code below relies on:
//
// - A catch with typed clauses stores its landing pad's index and the
//   function's LSDA in __wasm_lpad_context, calls _Unwind_CallPersonality
//   with the thrown value, then compares __wasm_lpad_context.selector with
//   each clause's type index; none equal, it rethrows to the next enclosing
//   catch. A lone catch (...) does not call it; cleanups are catch_all
//   blocks that run destructors and rethrow, never calling the runtime.
// - A clause's variable is the pointer __cxa_begin_catch returns, or for a
//   by-value catch with a copy constructor, __cxa_get_exception_ptr's: the
//   object adjusted to the caught type (a base subobject, or the pointer's
//   value for a pointer type).
// - A noexcept function's handler is a catch_all that calls std::terminate
//   without __cxa_begin_catch, so the exception is still in flight there.
// - The LSDA is GCC's except table, but a call-site record is a ULEB128 pair
//   (landing pad index, action), in landing pad order, where other targets
//   have code ranges; the type table is absolute 4-byte pointers.
//
// wasm32-wasip1 has no threads, so the runtime's state is plain globals.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <typeinfo>
#include <wasi/api.h>

namespace __cxxabiv1 {

// What libc++'s <exception> declares __cxa_init_primary_exception to return;
// here it is our own record.
struct __cxa_exception;

// Type matching is libc++abi's own (private_typeinfo.cpp, which the archive
// does have): every type_info the compiler emits is one of its subclasses of
// this class, and can_catch knows base classes, their offsets (virtual and
// multiple inheritance included), pointer conversions and qualifiers. The
// declaration mirrors the vtable layout of libc++abi's private_typeinfo.h
// (type_info's two destructors, two placeholders, then can_catch), which is
// all a virtual call through it needs.
class __shim_type_info : public std::type_info {
public:
    ~__shim_type_info() override;
    virtual void noop1() const;
    virtual void noop2() const;
    virtual bool can_catch(const __shim_type_info* thrown, void*& adjusted) const = 0;
};

} // namespace __cxxabiv1

using __cxxabiv1::__shim_type_info;

extern "C" {

// The Itanium ABI's unwinder interface (its values and the public fields of
// its exception header); this file is the only unwinder there is.
enum _Unwind_Reason_Code {
    _URC_FOREIGN_EXCEPTION_CAUGHT = 1,
    _URC_HANDLER_FOUND = 6,
    _URC_CONTINUE_UNWIND = 8,
};

struct _Unwind_Exception {
    uint64_t exception_class;
    void (*exception_cleanup)(_Unwind_Reason_Code, _Unwind_Exception*);
};

// Written by the code WebAssembly's EH preparation puts in each catch
// (its layout is fixed by that code: three pointer-sized fields), read here.
struct LandingPadContext {
    uintptr_t lpad_index;
    const uint8_t* lsda;
    uintptr_t selector;
};
LandingPadContext __wasm_lpad_context;

// The program's main when it takes arguments (clang's name for it on WASI).
int __main_argc_argv(int argc, char** argv);

} // extern "C"

namespace {

// "CLNGC++\0", clang's C++ exception class, in case a foreign unwinder ever
// looks.
constexpr uint64_t kCxxClass = 0x434C4E47432B2B00;

// One throw: what the wasm exception carries. A `throw` makes one in front
// of the thrown object, which it owns (it is its own `primary`);
// std::rethrow_exception throws an object again with a record of its own
// (`primary` is the object's), since the object may still be caught
// elsewhere. The object's fields are only used on its primary record.
struct Exception {
    _Unwind_Exception unwind; // first: the thrown pointer is the record's
    Exception* primary;
    // The object: its type and destructor, and its owners (the throws and
    // std::exception_ptrs that hold it).
    const std::type_info* type;
    void* (*destructor)(void*);
    size_t references;
    // The throw: the catch clauses handling it, whether `throw;` sent it on,
    // what the clause that took it binds to, and its place in the lists.
    unsigned handlers;
    bool rethrown;
    void* adjusted;
    uint64_t stamp; // when it was last thrown or caught, for terminate
    Exception* next_caught;
    Exception* next_in_flight;
};

// The object follows its record at the alignment malloc would give it, the
// largest any type needs.
constexpr size_t kAlign = __BIGGEST_ALIGNMENT__;
constexpr size_t kHeaderSize = (sizeof(Exception) + kAlign - 1) / kAlign * kAlign;

Exception* record_of(void* object) {
    return reinterpret_cast<Exception*>(static_cast<char*>(object) - kHeaderSize);
}

void* object_of(Exception* primary) {
    return reinterpret_cast<char*>(primary) + kHeaderSize;
}

Exception* record_of_thrown(void* unwind) {
    return static_cast<Exception*>(unwind);
}

const __shim_type_info* shim(const std::type_info* type) {
    return static_cast<const __shim_type_info*>(type);
}

// Handled exceptions, the innermost first (the one `throw;` rethrows), and
// those thrown and not yet caught, the latest first: the one a noexcept
// function's std::terminate is called for, which was never caught.
Exception* caught = nullptr;
Exception* in_flight = nullptr;
unsigned uncaught = 0;
uint64_t events = 0;

void unlink_in_flight(Exception* e) {
    for (Exception** link = &in_flight; *link; link = &(*link)->next_in_flight) {
        if (*link == e) {
            *link = e->next_in_flight;
            --uncaught;
            return;
        }
    }
}

// noexcept: a destructor that throws here ends the program, as the ABI says
// it must.
void release_object(Exception* primary) noexcept {
    if (--primary->references != 0) return;
    if (primary->destructor) primary->destructor(object_of(primary));
    std::free(primary);
}

void release(Exception* e) noexcept {
    Exception* primary = e->primary;
    if (primary != e) std::free(e);
    release_object(primary);
}

// What _Unwind_DeleteException calls, should a foreign runtime catch and
// discard one of ours.
void delete_exception(_Unwind_Reason_Code, _Unwind_Exception* unwind) {
    Exception* e = record_of_thrown(unwind);
    unlink_in_flight(e);
    release(e);
}

[[noreturn]] void throw_record(Exception* e) {
    // A catch (...) gets no personality call to set it.
    e->adjusted = object_of(e->primary);
    e->stamp = ++events;
    e->next_in_flight = in_flight;
    in_flight = e;
    ++uncaught;
    // Tag 0 is __cpp_exception, which clang defines in every object using it.
    __builtin_wasm_throw(0, &e->unwind);
}

[[noreturn]] void malformed_lsda(const char* what) {
    std::fprintf(stderr, "wasmacro: malformed exception table: %s\n", what);
    std::abort();
}

// DWARF pointer encodings (the LSDA's), as far as wasm uses them: absolute
// values of the listed formats.
constexpr uint8_t kOmit = 0xff, kAbsPtr = 0x00, kULeb128 = 0x01, kUData2 = 0x02, kUData4 = 0x03,
                  kUData8 = 0x04, kSLeb128 = 0x09, kSData2 = 0x0a, kSData4 = 0x0b, kSData8 = 0x0c;

/// A LEB128 at p, moving past it; sign-extended if `is_signed`.
uintptr_t read_leb(const uint8_t*& p, bool is_signed) {
    uintptr_t value = 0;
    unsigned shift = 0;
    uint8_t byte;
    do {
        byte = *p++;
        if (shift < 8 * sizeof value) value |= uintptr_t(byte & 0x7f) << shift;
        shift += 7;
    } while (byte & 0x80);
    if (is_signed && shift < 8 * sizeof value && (byte & 0x40)) value |= ~uintptr_t(0) << shift;
    return value;
}
uintptr_t read_uleb(const uint8_t*& p) {
    return read_leb(p, false);
}
intptr_t read_sleb(const uint8_t*& p) {
    return static_cast<intptr_t>(read_leb(p, true));
}

template <class T>
uintptr_t read_fixed(const uint8_t*& p) {
    T value;
    std::memcpy(&value, p, sizeof value); // the table is byte-packed
    p += sizeof value;
    return static_cast<uintptr_t>(value);
}

size_t encoded_size(uint8_t encoding) {
    switch (encoding & 0x0f) {
    case kAbsPtr: return sizeof(void*);
    case kUData2:
    case kSData2: return 2;
    case kUData4:
    case kSData4: return 4;
    case kUData8:
    case kSData8: return 8;
    }
    malformed_lsda("a variable-length type table entry");
}

uintptr_t read_encoded(const uint8_t*& p, uint8_t encoding) {
    // Relative forms (to the code, the table, a function) mean nothing for
    // wasm, whose code is not in memory; clang uses none there.
    if (encoding & 0xf0) malformed_lsda("a relative pointer encoding");
    switch (encoding) {
    case kAbsPtr: return read_fixed<uintptr_t>(p);
    case kULeb128: return read_uleb(p);
    case kUData2: return read_fixed<uint16_t>(p);
    case kUData4: return read_fixed<uint32_t>(p);
    case kUData8: return read_fixed<uint64_t>(p);
    case kSLeb128: return static_cast<uintptr_t>(read_sleb(p));
    case kSData2: return read_fixed<int16_t>(p);
    case kSData4: return read_fixed<int32_t>(p);
    case kSData8: return read_fixed<int64_t>(p);
    }
    malformed_lsda("an unknown pointer encoding");
}

struct TypeTable {
    const uint8_t* end; // entries count back from here, the first at end - size
    uint8_t encoding;

    // Null for catch (...).
    const std::type_info* at(uintptr_t index) const {
        if (!end) malformed_lsda("a type index without a type table");
        const uint8_t* p = end - index * encoded_size(encoding);
        return reinterpret_cast<const std::type_info*>(read_encoded(p, encoding));
    }

    // Whether the catch clause of type index `index` takes `primary`'s
    // object, and what it then binds to.
    bool catches(uintptr_t index, Exception* primary, void*& adjusted) const {
        const std::type_info* type = at(index);
        adjusted = object_of(primary);
        return !type || shim(type)->can_catch(shim(primary->type), adjusted);
    }
};

// Which clause of landing pad `lpad_index` takes `e`: its type index (the
// selector the catch compares), or 0 for none.
intptr_t select_clause(const uint8_t* lsda, uintptr_t lpad_index, Exception* e) {
    const uint8_t* p = lsda;
    uint8_t lp_start_encoding = *p++;
    if (lp_start_encoding != kOmit) read_encoded(p, lp_start_encoding);
    TypeTable types{nullptr, *p++};
    if (types.encoding != kOmit) {
        uintptr_t offset = read_uleb(p);
        types.end = p + offset;
    }
    if (*p++ != kULeb128) malformed_lsda("call sites not in ULEB128");
    uintptr_t call_sites_size = read_uleb(p);
    const uint8_t* actions = p + call_sites_size;
    uintptr_t action = 0;
    for (;;) {
        if (p >= actions) malformed_lsda("a landing pad missing from its call sites");
        uintptr_t index = read_uleb(p);
        uintptr_t record_action = read_uleb(p);
        if (index == lpad_index) {
            action = record_action;
            break;
        }
    }
    if (action == 0) return 0; // cleanups only
    // An action record is (type index, offset of the next record from this
    // field, 0 ending the chain), both SLEB128; the call site's action is
    // 1 + its record's offset in the action table.
    const uint8_t* record = actions + action - 1;
    for (;;) {
        intptr_t type_index = read_sleb(record);
        const uint8_t* next_field = record;
        intptr_t next = read_sleb(record);
        if (type_index > 0) {
            void* adjusted;
            if (types.catches(static_cast<uintptr_t>(type_index), e->primary, adjusted)) {
                e->adjusted = adjusted;
                return type_index;
            }
        } else if (type_index < 0) {
            // A dynamic exception specification. clang emits none for wasm
            // (it ignores them there: -Wwasm-exception-spec), so its types
            // are not checked; std::terminate is how a violated one ends.
            std::terminate();
        }
        if (next == 0) return 0;
        record = next_field + next;
    }
}

// The terminate handler installed at startup. The message is libstdc++'s,
// which the native command prints, except that the type's name stays
// mangled: libc++abi's demangler would add 110 KB of code to the module for
// this message alone. As with the native abort, stdout is not flushed.
[[noreturn]] void terminate_verbosely() noexcept {
    // The exception being handled, or the one still in flight when a
    // noexcept function's catch_all calls std::terminate, whichever came
    // last.
    Exception* e = caught;
    if (in_flight && (!e || in_flight->stamp > e->stamp)) e = in_flight;
    if (!e) {
        std::fputs("terminate called without an active exception\n", stderr);
    } else {
        Exception* primary = e->primary;
        std::fprintf(stderr, "terminate called after throwing an instance of '%s'\n",
                     primary->type->name());
        void* object = object_of(primary);
        if (shim(&typeid(std::exception))->can_catch(shim(primary->type), object))
            std::fprintf(stderr, "  what():  %s\n", static_cast<std::exception*>(object)->what());
    }
    std::abort();
}

// Early, so that even a static constructor's uncaught exception is reported.
__attribute__((constructor(101))) void install_terminate_handler() {
    std::set_terminate(terminate_verbosely);
}

// An exception leaving main must reach std::terminate, as natively, where
// the unwinder finds no handler before unwinding anything. A wasm throw
// without a catch would leave the module instead, an error the host words
// (node: "Uncaught [object WebAssembly.Exception]"). So main runs inside a
// noexcept function, whose catch_all calls std::terminate once the frames
// are unwound.
int run_main(int argc, char** argv) noexcept {
    return __main_argc_argv(argc, argv);
}

} // namespace

extern "C" {

void* __cxa_allocate_exception(size_t size) noexcept {
    size_t total = (kHeaderSize + size + kAlign - 1) / kAlign * kAlign;
    void* memory = std::aligned_alloc(kAlign, total);
    // The ABI's answer to running out of memory for an exception.
    if (!memory) std::terminate();
    std::memset(memory, 0, kHeaderSize);
    return static_cast<char*>(memory) + kHeaderSize;
}

// When the object's constructor threw: a throw expression's, or
// make_exception_ptr's copy.
void __cxa_free_exception(void* object) noexcept {
    std::free(record_of(object));
}

// For std::make_exception_ptr, whose exception_ptr then takes the first
// reference. On wasm a destructor returns `this`, hence its type
// (call_indirect traps on any other).
__cxxabiv1::__cxa_exception* __cxa_init_primary_exception(void* object, std::type_info* type,
                                                          void* (*destructor)(void*)) noexcept {
    Exception* e = record_of(object);
    e->unwind.exception_class = kCxxClass;
    e->unwind.exception_cleanup = delete_exception;
    e->primary = e;
    e->type = type;
    e->destructor = destructor;
    e->references = 0;
    return reinterpret_cast<__cxxabiv1::__cxa_exception*>(e);
}

[[noreturn]] void __cxa_throw(void* object, std::type_info* type, void* (*destructor)(void*)) {
    __cxa_init_primary_exception(object, type, destructor);
    Exception* e = record_of(object);
    e->references = 1;
    throw_record(e);
}

void* __cxa_begin_catch(void* thrown) noexcept {
    Exception* e = record_of_thrown(thrown);
    unlink_in_flight(e);
    e->rethrown = false;
    e->stamp = ++events;
    ++e->handlers;
    // Caught again by a catch inside the one that rethrew it, it is already
    // on top.
    if (caught != e) {
        e->next_caught = caught;
        caught = e;
    }
    return e->adjusted;
}

void __cxa_end_catch() {
    Exception* e = caught;
    if (!e || --e->handlers != 0) return;
    caught = e->next_caught;
    if (!e->rethrown) release(e);
}

[[noreturn]] void __cxa_rethrow() {
    Exception* e = caught;
    if (!e) std::terminate();
    // Its catch's __cxa_end_catch, run as it leaves, must not free it.
    e->rethrown = true;
    throw_record(e);
}

void* __cxa_get_exception_ptr(void* thrown) noexcept {
    return record_of_thrown(thrown)->adjusted;
}

std::type_info* __cxa_current_exception_type() noexcept {
    return caught ? const_cast<std::type_info*>(caught->primary->type) : nullptr;
}

bool __cxa_uncaught_exception() noexcept {
    return uncaught != 0;
}

unsigned int __cxa_uncaught_exceptions() noexcept {
    return uncaught;
}

// The std::exception_ptr interface of libc++ (its exception.cpp): an
// exception_ptr holds a reference to the object, whose address it keeps.
void* __cxa_current_primary_exception() noexcept {
    if (!caught) return nullptr;
    Exception* primary = caught->primary;
    ++primary->references;
    return object_of(primary);
}

void __cxa_increment_exception_refcount(void* object) noexcept {
    if (object) ++record_of(object)->references;
}

void __cxa_decrement_exception_refcount(void* object) noexcept {
    if (object) release_object(record_of(object));
}

void __cxa_rethrow_primary_exception(void* object) {
    if (!object) return;
    Exception* primary = record_of(object);
    auto* e = static_cast<Exception*>(std::calloc(1, sizeof(Exception)));
    if (!e) std::terminate();
    e->unwind = primary->unwind;
    e->unwind.exception_class = kCxxClass | 1; // the ABI's mark of a dependent exception
    e->primary = primary;
    ++primary->references;
    throw_record(e);
}

// What the compiler calls for a failed dynamic_cast to a reference, typeid
// of a null pointer and new[] with a bad length: libc++abi's are built
// without exceptions and terminate.
[[noreturn]] void __cxa_bad_cast() {
    throw std::bad_cast();
}

[[noreturn]] void __cxa_bad_typeid() {
    throw std::bad_typeid();
}

[[noreturn]] void __cxa_throw_bad_array_new_length() {
    throw std::bad_array_new_length();
}

void _Unwind_DeleteException(_Unwind_Exception* unwind) {
    if (unwind->exception_cleanup) unwind->exception_cleanup(_URC_FOREIGN_EXCEPTION_CAUGHT, unwind);
}

// Called by a catch with typed clauses (see the top): sets the selector to
// the type index of the clause that takes the exception, 0 for none.
_Unwind_Reason_Code _Unwind_CallPersonality(void* thrown) {
    LandingPadContext& context = __wasm_lpad_context;
    context.selector = 0;
    if (!context.lsda) return _URC_CONTINUE_UNWIND;
    intptr_t selector = select_clause(context.lsda, context.lpad_index, record_of_thrown(thrown));
    context.selector = static_cast<uintptr_t>(selector);
    return selector ? _URC_HANDLER_FOUND : _URC_CONTINUE_UNWIND;
}

// wasi-libc's crt1 calls __main_void, whose weak definition in libc.a reads
// the arguments and calls main; this one does the same around run_main. It
// comes first because libwasmacro.a precedes libc.a on the link line. A main
// without parameters is __main_void itself (clang makes it an alias) and
// overrides this weak one: exceptions leaving it are the host's.
__attribute__((weak)) int __main_void() {
    __wasi_size_t argc, size;
    if (__wasi_args_sizes_get(&argc, &size) != __WASI_ERRNO_SUCCESS) _Exit(71); // EX_OSERR
    auto** argv = static_cast<char**>(std::calloc(argc + 1, sizeof(char*)));
    auto* strings = static_cast<char*>(std::malloc(size ? size : 1));
    if (!argv || !strings) _Exit(70); // EX_SOFTWARE
    if (__wasi_args_get(reinterpret_cast<uint8_t**>(argv), reinterpret_cast<uint8_t*>(strings)) !=
        __WASI_ERRNO_SUCCESS)
        _Exit(71);
    return run_main(static_cast<int>(argc), argv);
}

} // extern "C"

// Debian's libc++ compiles operator new without exceptions: out of memory,
// it aborts, which would end the whole program (a compiler embedding
// libwasmacro.a included). These replace its weak definitions, as the
// standard allows, and throw std::bad_alloc as natively, which the engine
// and the C API report as an error. Its operator delete (free) still
// matches them.
namespace {

void* try_allocate(std::size_t size, std::size_t alignment) {
    if (alignment <= kAlign) return std::malloc(size);
    // aligned_alloc wants a multiple of the alignment.
    std::size_t rounded = (size + alignment - 1) / alignment * alignment;
    return rounded < size ? nullptr : std::aligned_alloc(alignment, rounded);
}

void* allocate(std::size_t size, std::size_t alignment) {
    if (size == 0) size = 1;
    for (;;) {
        if (void* memory = try_allocate(size, alignment)) return memory;
        std::new_handler handler = std::get_new_handler();
        if (!handler) throw std::bad_alloc();
        handler();
    }
}

void* allocate_or_null(std::size_t size, std::size_t alignment) noexcept {
    try {
        return allocate(size, alignment);
    } catch (...) {
        return nullptr;
    }
}

} // namespace

void* operator new(std::size_t size) {
    return allocate(size, 1);
}
void* operator new[](std::size_t size) {
    return allocate(size, 1);
}
void* operator new(std::size_t size, std::align_val_t alignment) {
    return allocate(size, static_cast<std::size_t>(alignment));
}
void* operator new[](std::size_t size, std::align_val_t alignment) {
    return allocate(size, static_cast<std::size_t>(alignment));
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
    return allocate_or_null(size, 1);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
    return allocate_or_null(size, 1);
}
void* operator new(std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
    return allocate_or_null(size, static_cast<std::size_t>(alignment));
}
void* operator new[](std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
    return allocate_or_null(size, static_cast<std::size_t>(alignment));
}

// cxa_noexception.cpp's helpers for the exception class, which nothing
// calls: defined so that no symbol of that object is left for it to supply.
namespace __cxxabiv1 {

uint64_t __getExceptionClass(const _Unwind_Exception* unwind) {
    return unwind->exception_class;
}

void __setExceptionClass(_Unwind_Exception* unwind, uint64_t exception_class) {
    unwind->exception_class = exception_class;
}

bool __isOurExceptionClass(const _Unwind_Exception* unwind) {
    // The last byte is the language's variant ("\0" primary, "\1" dependent).
    return (unwind->exception_class & ~uint64_t(0xff)) == kCxxClass;
}

} // namespace __cxxabiv1
