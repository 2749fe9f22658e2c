// C++ exceptions in a program built for wasm32-wasip1 with -fwasm-exceptions
// and linked with libwasmacro.a, whose src/wasi/exceptions.cpp is the
// exception runtime there (tests wasi.exceptions*, under node):
//
//   exceptions check [HOSTILE.wasm]   every check below, one line each, then
//                                     "all N checks passed" (status 0) or
//                                     "M of N checks failed" (status 1)
//   exceptions uncaught               throws out of main: std::terminate's
//                                     message, then abort (a trap)
//   exceptions noexcept               throws out of a noexcept function
//
// With HOSTILE.wasm (tests/fixtures), a macro's panic comes back through the
// C API as an error instead of ending the program.
#include "wasmacro.h"

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

int checks = 0, failures = 0;

void check(bool ok, const char* name, const std::string& detail = "") {
    ++checks;
    if (ok) {
        std::printf("ok %s\n", name);
    } else {
        ++failures;
        std::printf("FAIL %s%s%s\n", name, detail.empty() ? "" : ": ", detail.c_str());
    }
}

struct MyError : std::runtime_error {
    int code;
    MyError(const char* what, int c) : std::runtime_error(what), code(c) {}
};

// Multiple and virtual inheritance: each base a caught reference or pointer
// binds to sits at its own offset in the object, the virtual one found
// through the vtable.
struct Tag {
    int tag = 7;
    virtual ~Tag() = default;
};
struct Shared {
    int shared = 11;
    virtual ~Shared() = default;
};
struct Left : virtual Shared {
    int left = 21;
};
struct Right : virtual Shared {
    int right = 22;
};
const void* multi_address = nullptr;
struct Multi : Tag, Left, Right, std::runtime_error {
    Multi() : std::runtime_error("multi") { multi_address = this; }
};

// Two Base subobjects: catch (Base&) must not take it.
struct Base {
    int base = 1;
};
struct Once : Base {};
struct Twice : Base {};
struct Ambiguous : Once, Twice {};

int live = 0; // Counted objects not yet destroyed
struct Counted {
    Counted() { ++live; }
    Counted(const Counted&) { ++live; }
    ~Counted() { --live; }
};

struct Copyable {
    static inline int copies = 0;
    int value;
    explicit Copyable(int v) : value(v) {}
    Copyable(const Copyable& other) : value(other.value) { ++copies; }
};

std::vector<int> order; // destructors of Logged, in the order they ran
struct Logged {
    int id;
    ~Logged() { order.push_back(id); }
};

[[noreturn]] void throw_my_error() {
    throw MyError("mine", 3);
}

void frames(int depth) {
    Logged here{depth};
    if (depth == 0) throw std::runtime_error("bottom");
    frames(depth - 1);
}

// Seen from destructors run while an exception unwinds their frame.
unsigned uncaught_in_cleanup = 0, uncaught_in_nested_cleanup = 0;
bool nested_caught = false;
struct SeesNested {
    ~SeesNested() { uncaught_in_nested_cleanup = std::uncaught_exceptions(); }
};
struct ThrowsInCleanup {
    ~ThrowsInCleanup() {
        uncaught_in_cleanup = std::uncaught_exceptions();
        try {
            SeesNested s;
            throw MyError("nested", 9);
        } catch (const MyError& e) {
            nested_caught = e.code == 9;
        }
    }
};

struct ThrowingDestructor {
    ~ThrowingDestructor() noexcept(false) { throw std::logic_error("from a destructor"); }
};

void exact_type() {
    try {
        throw 42;
    } catch (long) {
        check(false, "exact type", "caught as long");
    } catch (int x) {
        check(x == 42, "exact type", std::to_string(x));
    }
    try {
        throw_my_error();
    } catch (const MyError& e) {
        check(e.code == 3 && std::strcmp(e.what(), "mine") == 0, "exact class type");
    }
}

void base_class() {
    try {
        throw std::runtime_error("runtime");
    } catch (const std::logic_error&) {
        check(false, "std::exception& takes std::runtime_error", "caught as logic_error");
    } catch (const std::exception& e) {
        check(std::strcmp(e.what(), "runtime") == 0, "std::exception& takes std::runtime_error");
    }
    try {
        throw_my_error();
    } catch (const std::exception& e) {
        const auto* mine = dynamic_cast<const MyError*>(&e);
        check(mine && mine->code == 3, "std::exception& takes a user class");
    }
    try {
        throw_my_error();
    } catch (std::runtime_error& e) {
        check(std::strcmp(e.what(), "mine") == 0, "std::runtime_error& takes a user class");
    }
}

void multiple_inheritance() {
    try {
        throw Multi();
    } catch (Shared& s) {
        check(s.shared == 11 && dynamic_cast<Multi*>(&s) == multi_address,
              "virtual base reference adjusted");
    }
    try {
        throw Multi();
    } catch (Right& r) {
        check(r.right == 22 && r.shared == 11 && static_cast<Multi*>(&r) == multi_address,
              "second base reference adjusted");
    }
    try {
        throw Multi();
    } catch (std::exception& e) {
        check(std::strcmp(e.what(), "multi") == 0 && dynamic_cast<Multi*>(&e) == multi_address,
              "std::exception& of a fourth base");
    }
    static Multi object;
    try {
        throw &object;
    } catch (Once*) {
        check(false, "pointer to virtual base", "caught as Once*");
    } catch (const Shared* p) {
        check(p == static_cast<Shared*>(&object) && p->shared == 11, "pointer to virtual base");
    }
    try {
        throw Ambiguous();
    } catch (Base&) {
        check(false, "ambiguous base not taken", "caught as Base&");
    } catch (Ambiguous& a) {
        check(a.Once::base == 1, "ambiguous base not taken");
    }
}

void catch_all() {
    try {
        throw 2.5;
    } catch (int) {
        check(false, "catch (...)", "caught as int");
    } catch (...) {
        check(std::uncaught_exceptions() == 0, "catch (...)");
    }
    bool reached = false;
    try {
        try {
            throw MyError("past", 1);
        } catch (...) {
            throw;
        }
    } catch (const MyError& e) {
        reached = e.code == 1;
    }
    check(reached, "catch (...) rethrows");
}

void rethrow() {
    const void* first = nullptr;
    const void* second = nullptr;
    int inner = 0;
    try {
        try {
            throw MyError("again", 5);
        } catch (std::runtime_error& e) {
            first = &e;
            ++inner;
            throw;
        }
    } catch (const std::exception& e) {
        second = &e;
    }
    check(inner == 1 && first && first == second, "throw; rethrows the same object");
}

void nested() {
    std::string seen;
    try {
        try {
            throw MyError("outer", 1);
        } catch (const MyError& outer) {
            try {
                throw std::logic_error("inner");
            } catch (const std::logic_error& inner) {
                seen += inner.what();
            }
            seen += std::string(",") + outer.what();
            // The handled exception is the outer one again.
            throw;
        }
    } catch (const MyError& e) {
        seen += std::string(",") + e.what();
    }
    check(seen == "inner,outer,outer", "try inside a catch", seen);
    // Rethrowing from a try inside the handler, caught there.
    int got = 0;
    try {
        throw 7;
    } catch (int& outer) {
        try {
            throw;
        } catch (int& again) {
            got = (&again == &outer) ? again : -1;
        }
        got += outer;
    }
    check(got == 14, "throw; caught inside its own handler", std::to_string(got));
}

void exception_ptrs() {
    std::exception_ptr saved;
    const void* address = nullptr;
    try {
        throw MyError("saved", 4);
    } catch (const std::exception& e) {
        address = &e;
        saved = std::current_exception();
    }
    check(static_cast<bool>(saved) && !std::current_exception(), "current_exception");
    int times = 0;
    for (int i = 0; i < 2; ++i) {
        try {
            std::rethrow_exception(saved);
        } catch (const MyError& e) {
            if (&e == address && e.code == 4) ++times;
        }
    }
    check(times == 2, "rethrow_exception, twice, the same object");
    try {
        std::rethrow_exception(std::make_exception_ptr(MyError("made", 6)));
    } catch (const std::runtime_error& e) {
        check(std::strcmp(e.what(), "made") == 0, "make_exception_ptr");
    }
    // The object lives as long as an exception_ptr to it, and no longer.
    int before = live;
    {
        std::exception_ptr kept;
        try {
            throw Counted();
        } catch (...) {
            kept = std::current_exception();
        }
        std::exception_ptr copy = kept;
        kept = nullptr;
        bool alive = live == before + 1;
        copy = nullptr;
        check(alive && live == before, "exception_ptr owns the object",
              std::to_string(live - before));
    }
    // Thrown from inside a handler: the new exception, not the handled one.
    std::exception_ptr inner;
    try {
        throw 1;
    } catch (int) {
        try {
            throw std::string("second");
        } catch (...) {
            inner = std::current_exception();
        }
    }
    try {
        std::rethrow_exception(inner);
    } catch (const std::string& s) {
        check(s == "second", "current_exception of a nested catch");
    } catch (...) {
        check(false, "current_exception of a nested catch", "another exception");
    }
}

void unwinding() {
    order.clear();
    try {
        Logged a{100};
        {
            Logged b{101};
            frames(3);
        }
    } catch (const std::runtime_error& e) {
        order.push_back(-1);
    }
    std::string text;
    for (int id : order) text += std::to_string(id) + " ";
    check(text == "0 1 2 3 101 100 -1 ", "destructors run while unwinding, innermost first", text);

    int before = live;
    try {
        Counted a;
        std::vector<Counted> many(10);
        throw std::runtime_error("x");
    } catch (...) {}
    check(live == before, "destructors of locals and a vector", std::to_string(live - before));

    order.clear();
    try {
        frames(200);
    } catch (const std::exception& e) {
        check(order.size() == 201 && order.front() == 0 && order.back() == 200, "across 201 frames",
              std::to_string(order.size()));
    }
}

void cleanup_throws() {
    uncaught_in_cleanup = uncaught_in_nested_cleanup = 0;
    nested_caught = false;
    bool outer = false;
    try {
        ThrowsInCleanup t;
        throw std::runtime_error("outer");
    } catch (const std::runtime_error& e) {
        outer = std::strcmp(e.what(), "outer") == 0;
    }
    check(outer && nested_caught, "a throw caught inside a destructor while unwinding");
    check(uncaught_in_cleanup == 1 && uncaught_in_nested_cleanup == 2,
          "std::uncaught_exceptions while unwinding",
          std::to_string(uncaught_in_cleanup) + " " + std::to_string(uncaught_in_nested_cleanup));
    check(std::uncaught_exceptions() == 0, "std::uncaught_exceptions afterwards");
    try {
        ThrowingDestructor t;
    } catch (const std::logic_error& e) {
        check(std::strcmp(e.what(), "from a destructor") == 0, "a destructor's own throw");
    }
}

void by_value() {
    Copyable::copies = 0;
    int outer_value = 0;
    try {
        try {
            throw Copyable(5);
        } catch (Copyable c) {
            c.value = 99;
            throw;
        }
    } catch (const Copyable& c) {
        outer_value = c.value;
    }
    check(Copyable::copies == 1 && outer_value == 5, "catch by value copies",
          std::to_string(Copyable::copies) + " " + std::to_string(outer_value));
}

void from_the_library() {
    std::vector<int> v(3);
    try {
        (void)v.at(3);
        check(false, "std::out_of_range from vector::at", "no throw");
    } catch (const std::out_of_range&) {
        check(true, "std::out_of_range from vector::at");
    }
    // More than wasm32 can address: malloc fails, and operator new throws.
    // The pointers escape, or the compiler may leave the allocations out.
    volatile std::size_t huge = SIZE_MAX - 4096;
    static char* volatile allocated;
    try {
        allocated = new char[huge];
        check(false, "std::bad_alloc from operator new", "no throw");
    } catch (const std::bad_alloc&) {
        check(true, "std::bad_alloc from operator new");
    }
    allocated = new (std::nothrow) char[huge];
    check(allocated == nullptr, "nothrow operator new gives null");
    Tag tag;
    Tag& ref = tag;
    try {
        (void)dynamic_cast<Multi&>(ref);
        check(false, "std::bad_cast from dynamic_cast", "no throw");
    } catch (const std::bad_cast&) {
        check(true, "std::bad_cast from dynamic_cast");
    }
}

std::vector<uint8_t> read_file(const char* path) {
    std::vector<uint8_t> bytes;
    if (FILE* f = std::fopen(path, "rb")) {
        int c;
        while ((c = std::fgetc(f)) != EOF) bytes.push_back(static_cast<uint8_t>(c));
        std::fclose(f);
    }
    return bytes;
}

// Errors thrown inside libwasmacro.a, caught by its C API.
void c_api(const char* hostile) {
    wasmacro_engine* engine = wasmacro_engine_new(nullptr);
    wasmacro_module* module = nullptr;
    char* message = nullptr;
    const uint8_t junk[] = {0, 'a', 's', 'm', 9, 9, 9, 9};
    wasmacro_status status =
        wasmacro_module_load(engine, junk, sizeof junk, "junk.wasm", 0, &module, &message);
    check(status == WASMACRO_ERROR_LOAD && message && !module, "C API: a load error",
          message ? message : "");
    wasmacro_message_free(message);
    message = nullptr;
    if (hostile) {
        std::vector<uint8_t> wasm = read_file(hostile);
        status = wasmacro_module_load(engine, wasm.data(), wasm.size(), "hostile.wasm", 0, &module,
                                      &message);
        check(status == WASMACRO_OK, "C API: load hostile.wasm", message ? message : "");
        wasmacro_message_free(message);
        message = nullptr;
        // `S` as the wire format's stream: an ident, then the end tag.
        const uint8_t input[] = {2, 0xFF, 0xFF, 0xFF, 0xFF, 1, 0, 0, 0, 'S', 0};
        int panics = 0;
        for (int i = 0; module && i < 2; ++i) {
            wasmacro_buffer output;
            status = wasmacro_expand(module, "Panic", input, sizeof input, nullptr, 0, &output,
                                     &message);
            if (status == WASMACRO_ERROR_PANIC && message &&
                std::strstr(message, "panicked on purpose"))
                ++panics;
            wasmacro_message_free(message);
            message = nullptr;
        }
        check(panics == 2, "C API: a macro's panic is an error, twice");
        wasmacro_module_free(module);
    }
    wasmacro_engine_free(engine);
}

void escape_noexcept() noexcept {
    throw_my_error();
}

} // namespace

int main(int argc, char** argv) {
    // Each line out before a failure that aborts.
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    std::string mode = argc >= 2 ? argv[1] : "";
    if (mode == "uncaught") {
        throw std::runtime_error("nobody catches this");
    }
    if (mode == "noexcept") {
        escape_noexcept();
        return 0;
    }
    if (mode != "check") {
        std::fprintf(stderr, "usage: exceptions check [HOSTILE.wasm] | uncaught | noexcept\n");
        return 2;
    }
    exact_type();
    base_class();
    multiple_inheritance();
    catch_all();
    rethrow();
    nested();
    exception_ptrs();
    unwinding();
    cleanup_throws();
    by_value();
    from_the_library();
    c_api(argc >= 3 ? argv[2] : nullptr);
    check(std::uncaught_exceptions() == 0 && !std::current_exception(), "nothing left in flight");
    if (failures) {
        std::printf("%d of %d checks failed\n", failures, checks);
        return 1;
    }
    std::printf("all %d checks passed\n", checks);
    return 0;
}
